using System.Net;
using System.Net.Sockets;

namespace Kci.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a server, so a test can make that server unreachable for one client
/// (close the port and cut open connections) without stopping it for everyone else, then bring it back.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _running;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        Port = ServiceProcess.FreePort();
    }

    public int Port { get; }

    public void Open()
    {
        _running = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _running.Token);
    }

    /// <summary>Closes the port and drops every open connection, as a broker outage does.</summary>
    public void Close()
    {
        _running?.Cancel();
        _listener?.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
                connection.Dispose();
            _connections.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(cancellationToken); }
            catch (Exception) { return; }

            var upstream = new TcpClient();
            try { await upstream.ConnectAsync(_targetHost, _targetPort, cancellationToken); }
            catch (Exception) { client.Dispose(); upstream.Dispose(); continue; }

            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }
            _ = PumpAsync(client, upstream, cancellationToken);
            _ = PumpAsync(upstream, client, cancellationToken);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken cancellationToken)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), cancellationToken); }
        catch (Exception) { /* either side closed */ }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
