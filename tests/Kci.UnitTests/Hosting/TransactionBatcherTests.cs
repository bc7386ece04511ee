using Kci.Hosting.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Kci.UnitTests.Hosting;

/// <summary>The group commit's rules, with a transaction that records its batches instead of a database.</summary>
public class When_messages_are_committed_in_batches : IAsyncLifetime
{
    private readonly RecordingTransaction _transaction = new();
    private readonly ServiceProvider _services;
    private readonly TransactionBatcher<string> _batcher;

    public When_messages_are_committed_in_batches()
    {
        _services = new ServiceCollection().AddSingleton<IBatchTransaction<string>>(_transaction).BuildServiceProvider();
        _batcher = new TransactionBatcher<string>(_services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new BatchingOptions { MessageLimit = 10, ConcurrencyLimit = 1 }), NullLogger<TransactionBatcher<string>>.Instance);
    }

    public async Task InitializeAsync() => await _batcher.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _batcher.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Should_run_what_arrives_while_a_transaction_runs_in_the_next_one_up_to_the_limit()
    {
        _transaction.Hold = new TaskCompletionSource();
        var first = _batcher.SubmitAsync("first", CancellationToken.None);
        await _transaction.Started.Task; // the first batch runs, and waits
        var waiting = Enumerable.Range(0, 15).Select(i => _batcher.SubmitAsync($"m{i}", CancellationToken.None)).ToList();
        _transaction.Hold.SetResult();

        await Task.WhenAll(waiting.Append(first));
        Assert.Equal([1, 10, 5], _transaction.Batches.Select(b => b.Count));
    }

    [Fact]
    public async Task Should_fault_only_the_message_at_fault_with_its_own_exception_when_a_batch_fails_for_good()
    {
        _transaction.Hold = new TaskCompletionSource();
        _transaction.FailFor = "bad";
        var first = _batcher.SubmitAsync("first", CancellationToken.None);
        await _transaction.Started.Task;
        var good = _batcher.SubmitAsync("good", CancellationToken.None);
        var bad = _batcher.SubmitAsync("bad", CancellationToken.None);
        var alsoGood = _batcher.SubmitAsync("also good", CancellationToken.None);
        _transaction.Hold.SetResult();

        await Task.WhenAll(first, good, alsoGood);
        var fault = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("bad failed", fault.Message);
        Assert.Contains(_transaction.Batches, b => b.SequenceEqual(["good", "bad", "also good"]));
        Assert.Contains(_transaction.Committed, m => m == "good");
        Assert.Contains(_transaction.Committed, m => m == "also good");
        Assert.DoesNotContain(_transaction.Committed, m => m == "bad");
    }

    [Fact]
    public async Task Should_fail_every_message_of_a_batch_for_its_own_retry_when_the_database_is_away()
    {
        _transaction.Hold = new TaskCompletionSource();
        _transaction.Unreachable = true;
        var first = _batcher.SubmitAsync("first", CancellationToken.None);
        await _transaction.Started.Task;
        var second = _batcher.SubmitAsync("second", CancellationToken.None);
        var third = _batcher.SubmitAsync("third", CancellationToken.None);
        _transaction.Hold.SetResult();

        foreach (var message in (Task[])[first, second, third])
            await Assert.ThrowsAsync<NpgsqlException>(() => message);
        Assert.Equal([1, 2], _transaction.Batches.Select(b => b.Count)); // not split: each message waits for its retry
    }

    private sealed class RecordingTransaction : IBatchTransaction<string>
    {
        public TaskCompletionSource? Hold { get; set; }
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string? FailFor { get; set; }
        public bool Unreachable { get; set; }
        public List<IReadOnlyList<string>> Batches { get; } = [];
        public List<string> Committed { get; } = [];

        public async Task RunAsync(IReadOnlyList<string> messages, CancellationToken cancellationToken)
        {
            Batches.Add(messages);
            Started.TrySetResult();
            if (Hold is { } hold)
                await hold.Task;
            if (Unreachable)
                throw new NpgsqlException("connection refused", new System.Net.Sockets.SocketException());
            if (messages.FirstOrDefault(m => m == FailFor) is { } bad)
                throw new InvalidOperationException($"{bad} failed");
            Committed.AddRange(messages);
        }
    }
}
