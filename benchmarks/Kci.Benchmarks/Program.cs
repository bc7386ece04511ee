using Kci.Benchmarks;

// benchmarks/run.sh calls these; each prints what it measured, and `load` writes it as JSON too.
return args switch
{
    ["baseline-server", .. var rest] => await BaselineServer.RunAsync(rest),
    ["load", .. var rest] => await HttpLoad.RunAsync(rest),
    // The raw skeleton pipeline (RabbitMQ.Client and Npgsql only), a yardstick for the burst's drain rate.
    ["skeleton-setup", .. var rest] => await SkeletonSchema.RunAsync(rest),
    ["skeleton-load", .. var rest] => await SkeletonLoad.RunAsync(rest),
    ["skeleton-sequencer", .. var rest] => await SkeletonSequencer.RunAsync(rest),
    ["skeleton-handlers", .. var rest] => await SkeletonHandlers.RunAsync(rest),
    ["skeleton-verify", .. var rest] => await SkeletonVerify.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Kci.Benchmarks baseline-server --urls URL [--rabbit amqp://guest:guest@localhost:5672/vhost] [--queue NAME]
               Kci.Benchmarks load --url URL --body FILE [--concurrency 32] [--warmup 5] [--duration 20] [--token-url URL --client-id ID --client-secret S] [--json FILE]
               Kci.Benchmarks skeleton-setup --pg CONNSTRING [--rabbit URI] [--reset]
               Kci.Benchmarks skeleton-load --rabbit URI [--orders 1000] [--kcis-per-order 5] [--shuffle 4] [--concurrency 32] [--seed 1] [--first-order-id ID] [--json FILE]
               Kci.Benchmarks skeleton-sequencer --rabbit URI --pg CONNSTRING [--variant single|batched] [--workers N] [--prefetch N] [--batch 100]
               Kci.Benchmarks skeleton-handlers --rabbit URI --pg CONNSTRING [--variant single|batched] [--workers N] [--prefetch N] [--batch 100]
               Kci.Benchmarks skeleton-verify --pg CONNSTRING --orders N [--kcis-per-order 5] [--timeout 3600] [--json FILE]
                 (single: --workers 8 per queue sharing --prefetch 32; batched: --workers 1 consumer per queue, --prefetch 2 x --batch)
        """);
    return 2;
}
