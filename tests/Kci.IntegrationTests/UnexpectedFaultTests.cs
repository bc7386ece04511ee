using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Reflection;
using Kci.IntegrationTests.Infrastructure;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kci.IntegrationTests;

/// <summary>
/// Anything unexpected answers 500 TENANT_FAULT, with no exception text, and the body's uuid in the error log
/// line with the request's IDs. No request can cause such a fault, so this one ingress runs in-process with a
/// bus that throws; the rest of its pipeline (authentication against the real ingress's JWKS) is real.
/// </summary>
[Collection(PipelineCollection.Name)]
public class When_something_unexpected_fails(Pipeline pipeline)
{
    [Fact]
    public async Task Should_answer_500_tenant_fault_and_log_its_uuid_with_the_request_ids()
    {
        var logs = new ConcurrentQueue<string>();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in pipeline.Settings())
                web.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), value);
            web.UseSetting("Auth:Authority", pipeline.Ingress.BaseAddress.ToString().TrimEnd('/'));
            web.ConfigureLogging(logging => logging.AddProvider(new CollectingLoggerProvider(logs)));
            web.ConfigureTestServices(services => services.AddSingleton(ThrowingBus.Create()));
        });
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "kcis")
        {
            Content = new StringContent(Samples.Kci("provide-order-informational.json", Samples.NewEntityId(), 1).ToJsonString()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Request-ID", "request-500");
        request.Headers.Add("X-Conversation-ID", "conversation-500");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await pipeline.TokenAsync());

        var response = await http.SendAsync(request);

        var body = await response.AssertErrorBodyAsync(500, "TENANT_FAULT");
        var text = body.ToJsonString();
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("injected", text, StringComparison.Ordinal);
        var uuid = body["uuid"]!.GetValue<string>();
        Assert.Contains(logs, line => line.Contains(uuid, StringComparison.Ordinal)
            && line.Contains("request-500", StringComparison.Ordinal) && line.Contains("conversation-500", StringComparison.Ordinal));
    }

    /// <summary>An <see cref="IBus"/> whose every call fails the way a bug would.</summary>
    public class ThrowingBus : DispatchProxy
    {
        public static IBus Create() => DispatchProxy.Create<IBus, ThrowingBus>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException("injected fault");
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collector(lines);
        public void Dispose() { }

        private sealed class Collector(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {formatter(state, exception)}");
        }
    }
}
