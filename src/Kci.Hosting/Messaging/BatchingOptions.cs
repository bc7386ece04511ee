using System.ComponentModel.DataAnnotations;

namespace Kci.Hosting.Messaging;

/// <summary>
/// How the hot-path consumers group their messages (new KCIs and acknowledgements in the Sequencer, releases in Handlers):
/// each batch is one transaction (<see cref="TransactionBatcher{T}"/>), so a backlog drains with a fraction of the round trips
/// and commits (docs/performance.md).
/// </summary>
public sealed class BatchingOptions
{
    public const string SectionName = "Batching";

    /// <summary>The most messages in one batch, and so in one transaction.</summary>
    [Range(1, 500)] public int MessageLimit { get; set; } = 100;

    /// <summary>Batch transactions of one message type in progress at once.</summary>
    [Range(1, 16)] public int ConcurrencyLimit { get; set; } = 2;

    /// <summary>
    /// What a batched endpoint fetches ahead and holds at once: every message counts while it waits for its batch, so the
    /// endpoint needs room for the batches in progress plus the next one.
    /// </summary>
    public int EndpointLimit(int configured) => Math.Max(configured, MessageLimit * (ConcurrencyLimit + 1));
}
