using Npgsql;
using RabbitMQ.Client;

namespace Kci.Benchmarks;

/// <summary>
/// The skeleton's tables, in schema <c>skel</c>, and the <c>skeleton-setup</c> role that creates them (and with
/// <c>--reset</c> empties them and the skeleton's queues, for the next run).
/// </summary>
internal static class SkeletonSchema
{
    // orders:      the saga row of an order: the next sequence number due and the one KCI in flight (at most one).
    // held:        every KCI the sequencer has seen (the primary key deduplicates); status 0 held, 1 released, 2 handled.
    //              The body is kept until the KCI is released, then it lives in the outbox row.
    // outbox:      messages written in the transaction that decided them, published after the commit, then deleted.
    // timeline:    the handlers' record and inbox: a KCI handled twice has no second row. handled_no gives the order
    //              in which the handlers committed; handled_at the moment.
    // order_state: the handlers' per-order state, upserted with each KCI.
    private const string Ddl = """
        CREATE SCHEMA IF NOT EXISTS skel;
        CREATE TABLE IF NOT EXISTS skel.orders (
            order_id uuid PRIMARY KEY,
            next_seq bigint NOT NULL DEFAULT 1,
            in_flight uuid NULL);
        CREATE TABLE IF NOT EXISTS skel.held (
            kci_id uuid PRIMARY KEY,
            order_id uuid NOT NULL,
            seq bigint NOT NULL,
            sent_at_ms bigint NOT NULL,
            body bytea NULL,
            status smallint NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS held_order ON skel.held (order_id);
        CREATE TABLE IF NOT EXISTS skel.outbox (
            id bigserial PRIMARY KEY,
            destination text NOT NULL,
            kci_id uuid NOT NULL,
            order_id uuid NOT NULL,
            seq bigint NOT NULL,
            sent_at_ms bigint NOT NULL,
            body bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS skel.timeline (
            kci_id uuid PRIMARY KEY,
            order_id uuid NOT NULL,
            seq bigint NOT NULL,
            body bytea NOT NULL,
            sent_at_ms bigint NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            handled_no bigserial NOT NULL);
        CREATE TABLE IF NOT EXISTS skel.order_state (
            order_id uuid PRIMARY KEY,
            last_seq bigint NOT NULL,
            updated_at timestamptz NOT NULL);
        """;

    /// <summary><c>skeleton-setup --pg CONNSTRING [--rabbit URI] [--reset]</c></summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var reset = args.Contains("--reset");
        var arguments = new Arguments(args.Where(a => a != "--reset").ToList());
        await using var db = SkeletonTopology.CreateDataSource(arguments.Text("pg"));
        await EnsureAsync(db);
        if (reset)
        {
            await using var truncate = db.CreateCommand(
                "TRUNCATE skel.orders, skel.held, skel.outbox, skel.timeline, skel.order_state RESTART IDENTITY");
            await truncate.ExecuteNonQueryAsync();
        }
        if (arguments.Optional("rabbit") is { } rabbit)
        {
            await using var connection = await SkeletonTopology.ConnectAsync(rabbit, "skeleton-setup");
            await using var channel = await connection.CreateChannelAsync();
            await SkeletonTopology.DeclareAsync(channel);
            if (reset)
            {
                foreach (var queue in SkeletonTopology.Queues)
                    await channel.QueuePurgeAsync(queue);
            }
        }
        Console.WriteLine(reset ? "skeleton: schema skel ready and emptied" : "skeleton: schema skel ready");
        return 0;
    }

    /// <summary>Creates what is missing. An advisory lock keeps two roles starting at once from racing on the catalog.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7360142)", connection, transaction))
            await command.ExecuteNonQueryAsync();
        await using (var command = new NpgsqlCommand(Ddl, connection, transaction))
            await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }
}
