using System.Net;
using System.Text;
using Kci.GatewaySimulator;
using Kci.GatewaySimulator.Sending;
using Polly;
using Polly.Timeout;

namespace Kci.UnitTests.Simulator;

public class When_the_simulator_sends
{
    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.NoContent, false)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.UnprocessableEntity, false)]
    public void Should_retry_server_errors_and_timeouts_but_never_a_4xx(HttpStatusCode status, bool retried)
    {
        using var response = new HttpResponseMessage(status);

        Assert.Equal(retried, KciSender.IsTransient(Outcome.FromResult(response)));
    }

    [Fact]
    public void Should_retry_when_there_was_no_answer()
    {
        Assert.True(KciSender.IsTransient(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("refused"))));
        Assert.True(KciSender.IsTransient(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException())));
    }

    [Fact]
    public void Should_wait_at_least_what_retry_after_asks()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));

        Assert.InRange(KciSender.RetryAfter(response)!.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.25));
    }

    [Fact]
    public void Should_leave_the_wait_to_the_backoff_without_retry_after()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.InternalServerError);

        Assert.Null(KciSender.RetryAfter(response));
    }

    [Fact]
    public async Task Should_renew_the_token_when_four_fifths_of_its_lifetime_have_passed()
    {
        var clock = new ManualClock();
        var issued = 0;
        using var http = new HttpClient(new Answering(_ =>
        {
            issued++;
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"access_token":"token-{{issued}}","token_type":"Bearer","expires_in":100}""", Encoding.UTF8, "application/json"),
            };
        }));
        using var tokens = new TokenSource(http, new Uri("http://ingress/oauth2/token"), "client", "secret", null, clock);

        Assert.Equal("token-1", await tokens.GetAsync(default));
        clock.Advance(TimeSpan.FromSeconds(79));
        Assert.Equal("token-1", await tokens.GetAsync(default));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("token-2", await tokens.GetAsync(default));
        Assert.Equal(2, tokens.Renewals);
    }

    [Fact]
    public void Should_take_nearest_rank_percentiles()
    {
        var percentiles = Percentiles.Of(Enumerable.Range(1, 100).Select(n => (double)n));

        Assert.Equal((50d, 95d, 99d, 100d), (percentiles.P50, percentiles.P95, percentiles.P99, percentiles.Max));
    }

    [Theory]
    [InlineData("--rate", "-1")]
    [InlineData("--duplicates", "1")]
    [InlineData("--gaps", "abc")]
    [InlineData("--orders", "0")]
    [InlineData("--concurrency")]
    [InlineData("--colour", "blue")]
    public void Should_refuse_a_bad_option_with_a_reason(params string[] args)
    {
        Assert.Null(SimulatorOptions.Parse(args, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Should_read_every_option()
    {
        var options = SimulatorOptions.Parse(["--url", "http://gw:1", "--orders", "7", "--concurrency", "3", "--shuffle", "2", "--duplicates", "0.1",
            "--gaps", "0.05", "--rate", "50", "--seed", "9", "--kcis-per-order", "5", "--verify", "--verify-timeout", "60", "--json", "out.json"], out var error)!;

        Assert.Null(error);
        Assert.Equal(new Uri("http://gw:1/oauth2/token"), options.EffectiveTokenUrl);
        Assert.Equal((7, 3, 2, 0.1, 0.05, 50d, 9, 5, true, TimeSpan.FromSeconds(60), "out.json"),
            (options.Orders, options.Concurrency, options.Shuffle, options.DuplicateRate, options.GapRate, options.Rate, options.Seed,
             options.KcisPerOrder, options.Verify, options.VerifyTimeout, options.JsonPath));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
        public void Advance(TimeSpan by) => _now += by;
        public override DateTimeOffset GetUtcNow() => _now;
    }

    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
