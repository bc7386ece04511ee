using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kci.Hosting.Persistence;

/// <summary>
/// Two kinds of database fault that a later try can cure, and everything else (which a try cannot):
/// <list type="bullet">
/// <item><see cref="IsUnreachable"/>: the database cannot be reached or is shutting down. The message waits, unacknowledged,
/// for as long as that lasts (<see cref="Resilience.DatabaseGate"/>): never to an <c>_error</c> queue.</item>
/// <item><see cref="IsContention"/>: deadlocks, serialization failures, lock timeouts, and insert races on an idempotency key
/// (two copies of one message, or two first messages of one order, inserting the same row at once). A few quick retries
/// settle them: the retry finds the row and takes the duplicate path.</item>
/// </list>
/// Any other unique violation (a KCI id the gateway reused for another order), a check violation or an invalid value is
/// neither: the message faults at once and an operator sees why (docs/reliability.md).
/// </summary>
public static class TransientFaults
{
    /// <summary>Either kind: worth another try.</summary>
    public static bool IsTransient(Exception exception) => IsUnreachable(exception) || IsContention(exception);

    /// <summary>The database is down, restarting, refusing connections, or the connection to it broke.</summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || pg.SqlState is PostgresErrorCodes.AdminShutdown // 57P01
                or PostgresErrorCodes.CrashShutdown // 57P02
                or PostgresErrorCodes.CannotConnectNow // 57P03
                or PostgresErrorCodes.TooManyConnections, // 53300
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or EndOfStreamException,
        SocketException or EndOfStreamException => true,
        _ => exception.InnerException is { } inner && IsUnreachable(inner),
    };

    /// <summary>
    /// The keys that make our writes idempotent: a row that exists already means another copy of the same work got there
    /// first. <c>pk_order_kcis</c> is deliberately absent: a KCI id held by another order is a conflict, not a race.
    /// </summary>
    public static readonly IReadOnlySet<string> IdempotencyKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "pk_order_sequences", "ix_order_sequences_entity_type_entity_id", // the saga of a new order
        "pk_timeline", "pk_orders", "ix_orders_entity_type_entity_id", "pk_gateway_errors", "pk_action_items", "pk_sequence_gaps",
        "ix_notification_deliveries_subscription_kci_id", "ix_dead_letters_queue_message_id",
    };

    /// <summary>Concurrent transactions got in each other's way: trying again settles it.</summary>
    public static bool IsContention(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg => pg.ConstraintName is { } key && IdempotencyKeys.Contains(key),
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure // 40001
            or PostgresErrorCodes.DeadlockDetected // 40P01
            or PostgresErrorCodes.LockNotAvailable, // 55P03
        DbUpdateConcurrencyException => true,
        _ => exception.InnerException is { } inner && IsContention(inner),
    };
}
