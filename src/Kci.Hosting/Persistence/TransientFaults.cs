using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kci.Hosting.Persistence;

/// <summary>Database faults that a retry of the whole message can cure.</summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState is
            PostgresErrorCodes.SerializationFailure // 40001
            or PostgresErrorCodes.DeadlockDetected // 40P01
            or PostgresErrorCodes.UniqueViolation // 23505: two first KCIs of one order inserting its saga at once
            or PostgresErrorCodes.LockNotAvailable
            or PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections
            || pg.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient,
        DbUpdateException { InnerException: { } inner } => IsTransient(inner),
        TimeoutException => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
