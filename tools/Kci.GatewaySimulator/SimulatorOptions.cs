using System.Globalization;

namespace Kci.GatewaySimulator;

/// <summary>What a run does, from the command line. Every run with the same options and seed sends the same KCIs.</summary>
public sealed record SimulatorOptions
{
    public Uri Url { get; init; } = new("http://localhost:5080/");
    public Uri OperationsUrl { get; init; } = new("http://localhost:5090/");
    public Uri? TokenUrl { get; init; }
    public string ClientId { get; init; } = "fibre-cafe-local";
    public string ClientSecret { get; init; } = "local-dev-secret";
    public string? Scope { get; init; }
    public string? OperationsScope { get; init; }
    public int Orders { get; init; } = 20;
    public int Concurrency { get; init; } = 8;
    public int Shuffle { get; init; }
    public double DuplicateRate { get; init; }
    public double GapRate { get; init; }
    public double Rate { get; init; }
    public int Seed { get; init; } = 1;
    public int KcisPerOrder { get; init; }
    public long? FirstOrderId { get; init; }
    public bool Verify { get; init; }
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxRetries { get; init; } = 8;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public string? JsonPath { get; init; }
    public bool Quiet { get; init; }

    /// <summary>Where the simulated gateway's order reads (Tenant API) listen; null: not served.</summary>
    public Uri? GatewayListen { get; init; } = new("http://localhost:5070/");
    public double GatewayFaultRate { get; init; }
    public string GatewayClientId { get; init; } = "kci-tenant";
    public string GatewayClientSecret { get; init; } = "kci-tenant-secret";

    public Uri EffectiveTokenUrl => TokenUrl ?? new Uri(Url, "oauth2/token");

    /// <summary>Entity ids follow on from here; by default they depend on the seed, so runs with other seeds use other orders.</summary>
    public long EffectiveFirstOrderId => FirstOrderId ?? 10_000_000L + (long)(uint)Seed % 90_000 * 100_000;

    public const string Usage = """
        Kci gateway simulator: sends realistic KCI journeys to POST /kcis as the Fibre Cafe does.

        Options (defaults in brackets):
          --url URL               the ingress [http://localhost:5080]
          --ops-url URL           the operations API, for --verify [http://localhost:5090]
          --token-url URL         OAuth2 token endpoint [<url>/oauth2/token]
          --client-id ID          client credentials [fibre-cafe-local]
          --client-secret SECRET  [local-dev-secret]
          --scope SCOPE           scope to ask for the ingress token [none]
          --ops-scope SCOPE       scope of a second token for the operations API [none: no token sent]
          --orders N              orders to send [20]
          --concurrency N         orders in flight at once [8]
          --kcis-per-order N      every order a provide journey of exactly N KCIs [0: realistic journeys]
          --shuffle N             how many places a KCI may move within its order [0]
          --duplicates RATE       share of KCIs sent a second time, 0 to 1 [0]
          --gaps RATE             share of numbers never sent (never an order's last), 0 to 1 [0]
          --rate N                KCIs per second [0: as fast as the ingress takes them]
          --seed N                random seed; the same seed sends the same KCIs [1]
          --first-order-id N      first entity id [derived from the seed]
          --max-retries N         retries of a 5xx, 503 or timeout [8]
          --timeout SECONDS       per request [30]
          --verify                check every order in the operations API afterwards; exit 1 on a mismatch
          --verify-timeout SECONDS how long to wait for every KCI to be handled [300]
          --json FILE             also write the summary as JSON
          --quiet                 no progress bar
          --gateway-listen URL    serve the gateway's order reads (GET /service-orders/{id}, ...) for Kci's gap
                                  recovery while the run sends and verifies; none: off [http://localhost:5070]
          --gateway-faults RATE   share of authorised order reads answered 503 with Retry-After: 1, 0 to 1 [0]
          --gateway-client-id ID  client credentials Kci uses for a token from the simulated gateway [kci-tenant]
          --gateway-client-secret SECRET [kci-tenant-secret]
        """;

    /// <summary>Parses the command line; null with a reason in <paramref name="error"/> when it is wrong.</summary>
    public static SimulatorOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new SimulatorOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                    throw new FormatException($"{name} needs a value");
                return args[++i];
            }
            try
            {
                options = name switch
                {
                    "--url" => options with { Url = AbsoluteUri(Value()) },
                    "--ops-url" => options with { OperationsUrl = AbsoluteUri(Value()) },
                    "--token-url" => options with { TokenUrl = new Uri(Value(), UriKind.Absolute) },
                    "--client-id" => options with { ClientId = Value() },
                    "--client-secret" => options with { ClientSecret = Value() },
                    "--scope" => options with { Scope = Value() },
                    "--ops-scope" => options with { OperationsScope = Value() },
                    "--orders" => options with { Orders = Int(Value(), 1, 1_000_000) },
                    "--concurrency" => options with { Concurrency = Int(Value(), 1, 1024) },
                    "--kcis-per-order" => options with { KcisPerOrder = Int(Value(), 2, 1000) },
                    "--shuffle" => options with { Shuffle = Int(Value(), 0, 1000) },
                    "--duplicates" => options with { DuplicateRate = Share(Value()) },
                    "--gaps" => options with { GapRate = Share(Value()) },
                    "--rate" => options with { Rate = double.Parse(Value(), CultureInfo.InvariantCulture) is var r and >= 0 ? r : throw new FormatException("--rate must be 0 or more") },
                    "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                    "--first-order-id" => options with { FirstOrderId = long.Parse(Value(), CultureInfo.InvariantCulture) is var f and > 0 ? f : throw new FormatException("--first-order-id must be positive") },
                    "--max-retries" => options with { MaxRetries = Int(Value(), 0, 100) },
                    "--timeout" => options with { RequestTimeout = TimeSpan.FromSeconds(Int(Value(), 1, 3600)) },
                    "--verify" => options with { Verify = true },
                    "--verify-timeout" => options with { VerifyTimeout = TimeSpan.FromSeconds(Int(Value(), 1, 86_400)) },
                    "--json" => options with { JsonPath = Value() },
                    "--quiet" => options with { Quiet = true },
                    "--gateway-listen" => options with { GatewayListen = Listen(Value()) },
                    "--gateway-faults" => options with { GatewayFaultRate = ShareUpToOne(Value()) },
                    "--gateway-client-id" => options with { GatewayClientId = NotEmpty(Value()) },
                    "--gateway-client-secret" => options with { GatewayClientSecret = NotEmpty(Value()) },
                    _ => throw new FormatException($"unknown option {name}"),
                };
            }
            catch (Exception e) when (e is FormatException or OverflowException or UriFormatException)
            {
                error = e.Message.StartsWith("--", StringComparison.Ordinal) || e.Message.StartsWith("unknown", StringComparison.Ordinal)
                    ? e.Message : $"{name}: {e.Message}";
                return null;
            }
        }
        return options;
    }

    private static Uri AbsoluteUri(string value) => new(value.EndsWith('/') ? value : value + "/", UriKind.Absolute);

    /// <summary>An http address to listen on (Kestrel takes no path), or none.</summary>
    private static Uri? Listen(string value)
    {
        if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
            return null;
        var uri = AbsoluteUri(value);
        return uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"
            ? uri : throw new FormatException("must be an http address without a path, or none");
    }

    private static string NotEmpty(string value) => value.Length > 0 ? value : throw new FormatException("must not be empty");

    private static int Int(string value, int min, int max) =>
        int.Parse(value, CultureInfo.InvariantCulture) is var n && n >= min && n <= max ? n : throw new FormatException($"must be from {min} to {max}");

    private static double Share(string value) =>
        double.Parse(value, CultureInfo.InvariantCulture) is var n && n >= 0 && n < 1 ? n : throw new FormatException("must be at least 0 and below 1");

    private static double ShareUpToOne(string value) =>
        double.Parse(value, CultureInfo.InvariantCulture) is var n && n >= 0 && n <= 1 ? n : throw new FormatException("must be from 0 to 1");
}
