using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kci.Hosting.Persistence;

/// <summary>
/// Two kinds of database fault that a later try can cure, and everything else (which a try cannot):
/// <list type="bullet">
/// <item><see cref="IsUnreachable"/>: the database cannot be reached or is shutting down. The message waits, unacknowledged,
/// for as long as that lasts (<see cref="Resilience.DatabaseGate"/>): never to an <c>_error</c> queue.</item>
/// <item><see cref="IsContention"/>: deadlocks, serialization failures, lock timeouts and the saga insert race. A few quick
/// retries settle them.</item>
/// </list>
/// A unique violation that is not the saga insert race, a check violation or an invalid value is neither: the message faults
/// at once and an operator sees why.
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

    /// <summary>Concurrent transactions got in each other's way: trying again settles it.</summary>
    public static bool IsContention(Exception exception) => exception switch
    {
        SagaInsertRaceException => true,
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure // 40001
            or PostgresErrorCodes.DeadlockDetected // 40P01
            or PostgresErrorCodes.LockNotAvailable, // 55P03
        DbUpdateConcurrencyException => true,
        _ => exception.InnerException is { } inner && IsContention(inner),
    };
}

/// <summary>
/// Two first messages of one saga inserted its row at once and this one lost (23505 on the saga's own table): its retry
/// finds the row and waits on its lock. Any other unique violation is a real conflict, not this.
/// </summary>
public sealed class SagaInsertRaceException(string message, Exception inner) : Exception(message, inner);
