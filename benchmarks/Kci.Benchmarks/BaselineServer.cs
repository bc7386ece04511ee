using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Kci.Benchmarks;

/// <summary>
/// The ingress's baseline: a bare Kestrel endpoint that parses the same JSON body and publishes the same bytes as
/// a persistent message to a durable queue with RabbitMQ.Client, answering 204 once the broker confirmed it. No
/// authentication, no validation, no MassTransit: what the hardware and the broker allow.
/// </summary>
internal static class BaselineServer
{
    private const int Channels = 8;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = new Arguments(args);
        var factory = new ConnectionFactory { Uri = new Uri(arguments.Text("rabbit", "amqp://guest:guest@localhost:5672/")) };
        var queue = arguments.Text("queue", "bench-baseline");
        await using var connection = await factory.CreateConnectionAsync();
        var pool = Channel.CreateBounded<IChannel>(Channels);
        for (var i = 0; i < Channels; i++)
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            if (i == 0)
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await pool.Writer.WriteAsync(channel);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(arguments.Text("urls"));
        var app = builder.Build();
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        app.MapPost("/kcis", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellationToken);
            var bytes = body.ToArray();
            using (var document = JsonDocument.Parse(bytes))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return Results.BadRequest();
            }
            var channel = await pool.Reader.ReadAsync(cancellationToken);
            try
            {
                await channel.BasicPublishAsync("", queue, mandatory: false, properties, bytes, cancellationToken);
            }
            finally
            {
                await pool.Writer.WriteAsync(channel, CancellationToken.None);
            }
            return Results.NoContent();
        });
        app.MapGet("/health/ready", () => Results.Ok());
        await app.RunAsync();
        return 0;
    }
}
