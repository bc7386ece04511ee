using Kci.Benchmarks;

// benchmarks/run.sh calls these; each prints what it measured, and `load` writes it as JSON too.
return args switch
{
    ["baseline-server", .. var rest] => await BaselineServer.RunAsync(rest),
    ["load", .. var rest] => await HttpLoad.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Kci.Benchmarks baseline-server --urls URL [--rabbit amqp://guest:guest@localhost:5672/vhost] [--queue NAME]
               Kci.Benchmarks load --url URL --body FILE [--concurrency 32] [--warmup 5] [--duration 20] [--token-url URL --client-id ID --client-secret S] [--json FILE]
        """);
    return 2;
}
