using Kci.Hosting.Persistence;
using Kci.Sequencer.Sequencing;
using Microsoft.EntityFrameworkCore;

namespace Kci.Sequencer.Persistence;

/// <summary>The sequencer's tables, in schema <c>sequencer</c>: the order sagas, their KCIs and the outbox.</summary>
public sealed class SequencerDb : DbContext
{
    /// <summary>
    /// Without EF Core's automatic savepoints: every save of ours runs in a transaction that a failure rolls back whole, so
    /// the SAVEPOINT and RELEASE round trips around each save bought nothing (docs/performance.md).
    /// </summary>
    public SequencerDb(DbContextOptions<SequencerDb> options) : base(options) => Database.AutoSavepointsEnabled = false;

    public const string Schema = "sequencer";

    public DbSet<OrderSequence> Orders => Set<OrderSequence>();
    public DbSet<SequencedKci> Kcis => Set<SequencedKci>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<OrderSequence>(e =>
        {
            e.ToTable("order_sequences");
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.CorrelationId).ValueGeneratedNever();
            e.Property(x => x.CurrentState).HasMaxLength(64);
            e.Property(x => x.EntityType).HasMaxLength(100);
            e.Property(x => x.EntityId).HasMaxLength(100);
            e.Property(x => x.Supplier).HasMaxLength(20);
            e.Property(x => x.ConversationId).HasMaxLength(200);
            e.HasIndex(x => new { x.EntityType, x.EntityId }).IsUnique();
            // The deadline sweeper reads only orders waiting on a gap.
            e.HasIndex(x => x.GapDeadline).HasFilter("gap_deadline IS NOT NULL");
            e.HasIndex(x => x.AckDeadline).HasFilter("ack_deadline IS NOT NULL");
            e.HasIndex(x => x.RecoveryDue).HasFilter("recovery_due IS NOT NULL");
            e.HasMany(x => x.Kcis).WithOne().HasForeignKey(k => k.OrderId).OnDelete(DeleteBehavior.Cascade);
            // Loaded with the saga (under its row lock): the rules need every KCI the order has seen.
            e.Navigation(x => x.Kcis).AutoInclude();
        });
        modelBuilder.Entity<SequencedKci>(e =>
        {
            e.ToTable("order_kcis");
            e.HasKey(x => x.KciId);
            e.Property(x => x.KciId).ValueGeneratedNever();
            e.Property(x => x.UpdateType).HasMaxLength(100);
            e.Property(x => x.PayloadType).HasMaxLength(100);
            e.Property(x => x.ConversationId).HasMaxLength(200);
            e.Property(x => x.RequestId).HasMaxLength(200);
            e.Property(x => x.RecoveredFrom).HasMaxLength(500);
            e.Property(x => x.TraceParent).HasMaxLength(100);
            e.HasIndex(x => new { x.OrderId, x.SequenceNumber });
        });
        modelBuilder.AddOutbox();
    }
}
