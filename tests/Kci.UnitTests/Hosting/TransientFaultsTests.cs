using System.Net.Sockets;
using Kci.Hosting.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kci.UnitTests.Hosting;

/// <summary>Which database faults wait for the database, which are retried a few times, and which fault at once.</summary>
public class When_a_database_fault_is_classified
{
    private static PostgresException Pg(string sqlState, string? constraint = null) =>
        new("test", "ERROR", "ERROR", sqlState, constraintName: constraint);

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.TooManyConnections)]
    [InlineData("08006")]
    public void Should_wait_for_the_database_when_it_is_unreachable(string sqlState)
    {
        Assert.True(TransientFaults.IsUnreachable(Pg(sqlState)));
        Assert.False(TransientFaults.IsContention(Pg(sqlState)));
    }

    [Fact]
    public void Should_wait_for_the_database_when_the_connection_is_refused_or_broken()
    {
        Assert.True(TransientFaults.IsUnreachable(new NpgsqlException("refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(TransientFaults.IsUnreachable(new DbUpdateException("save", new NpgsqlException("read", new EndOfStreamException()))));
        Assert.True(TransientFaults.IsUnreachable(new InvalidOperationException("transient", new NpgsqlException("io", new IOException()))));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure, null)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, null)]
    [InlineData(PostgresErrorCodes.LockNotAvailable, null)]
    [InlineData(PostgresErrorCodes.UniqueViolation, "pk_order_sequences")] // two first KCIs of a new order
    [InlineData(PostgresErrorCodes.UniqueViolation, "pk_timeline")] // two copies of one release handled at once
    public void Should_retry_contention_a_few_times(string sqlState, string? constraint)
    {
        Assert.True(TransientFaults.IsContention(new DbUpdateException("save", Pg(sqlState, constraint))));
        Assert.False(TransientFaults.IsUnreachable(Pg(sqlState, constraint)));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation, "pk_order_kcis")] // a KCI id the gateway reused for another order
    [InlineData(PostgresErrorCodes.UniqueViolation, null)]
    [InlineData(PostgresErrorCodes.CheckViolation, "ck_something")]
    [InlineData(PostgresErrorCodes.UntranslatableCharacter, null)]
    [InlineData(PostgresErrorCodes.InvalidTextRepresentation, null)]
    [InlineData("54000", null)] // a value too large for an index
    public void Should_fault_at_once_when_no_retry_can_help(string sqlState, string? constraint)
    {
        var fault = new DbUpdateException("save", Pg(sqlState, constraint));
        Assert.False(TransientFaults.IsTransient(fault));
    }
}
