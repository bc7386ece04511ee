using System.Diagnostics;

namespace Kci.GatewaySimulator.Sending;

/// <summary>
/// A progress bar on the terminal (standard error), redrawn four times a second; when standard error is not a
/// terminal, a line every ten seconds instead. Nothing for runs that end within two seconds.
/// </summary>
public sealed class Progress : IAsyncDisposable
{
    private readonly Func<(long Done, long Total, string Detail)> _read;
    private readonly string _label;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private bool _drawn;

    public Progress(string label, Func<(long Done, long Total, string Detail)> read, bool enabled)
    {
        _label = label;
        _read = read;
        _loop = enabled ? LoopAsync() : Task.CompletedTask;
    }

    private async Task LoopAsync()
    {
        var started = Stopwatch.StartNew();
        var lastLine = TimeSpan.Zero;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
            while (!_stop.IsCancellationRequested)
            {
                if (_terminal)
                {
                    Draw();
                }
                else if (started.Elapsed - lastLine >= TimeSpan.FromSeconds(10))
                {
                    lastLine = started.Elapsed;
                    var (done, total, detail) = _read();
                    Console.Error.WriteLine($"{_label}: {done:N0}/{total:N0} {detail}");
                }
                await Task.Delay(250, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Draw()
    {
        var (done, total, detail) = _read();
        const int width = 30;
        var filled = total == 0 ? 0 : (int)Math.Min(width, done * width / total);
        Console.Error.Write($"\r{_label} [{new string('#', filled)}{new string('.', width - filled)}] {done:N0}/{total:N0} {detail}   ");
        _drawn = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_drawn)
        {
            Draw();
            Console.Error.WriteLine();
        }
        _stop.Dispose();
    }
}
