using Kci.Hosting.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Persistence;

/// <summary>Handlers' tables, in schema <c>handlers</c>.</summary>
public sealed class HandlersDb : DbContext
{
    /// <summary>
    /// Without EF Core's automatic savepoints: every save of ours runs in a transaction that a failure rolls back whole, so
    /// the SAVEPOINT and RELEASE round trips around each save bought nothing (docs/performance.md).
    /// </summary>
    public HandlersDb(DbContextOptions<HandlersDb> options) : base(options) => Database.AutoSavepointsEnabled = false;

    public const string Schema = "handlers";

    public DbSet<OrderState> Orders => Set<OrderState>();
    public DbSet<TimelineEntry> Timeline => Set<TimelineEntry>();
    public DbSet<ActionItem> Actions => Set<ActionItem>();
    public DbSet<GatewayError> Errors => Set<GatewayError>();
    public DbSet<OperatorAction> OperatorActions => Set<OperatorAction>();
    public DbSet<NotificationDelivery> Notifications => Set<NotificationDelivery>();
    public DbSet<SequenceGap> Gaps => Set<SequenceGap>();
    public DbSet<DeadLetter> DeadLetters => Set<DeadLetter>();

    /// <summary>The sequencer's view of each order (<c>sequencer.order_overview</c>, owned by the Sequencer's migrations).</summary>
    public DbSet<SequencerOrder> SequencerOrders => Set<SequencerOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<OrderState>(e =>
        {
            e.ToTable("orders");
            e.HasKey(x => x.OrderId);
            e.Property(x => x.OrderId).ValueGeneratedNever();
            e.Property(x => x.Entity).HasColumnType("jsonb");
            e.HasIndex(x => new { x.EntityType, x.EntityId }).IsUnique();
            e.HasIndex(x => x.Status);
            e.HasIndex(x => x.UpdatedAt);
        });
        modelBuilder.Entity<TimelineEntry>(e =>
        {
            e.ToTable("timeline");
            e.HasKey(x => x.KciId);
            e.Property(x => x.KciId).ValueGeneratedNever();
            // Handlers number a batch's rows themselves (from the identity's sequence), in the order they handle them: the
            // inserts of a batch do not run in that order.
            e.Property(x => x.Position).UseIdentityByDefaultColumn();
            e.Property(x => x.SupplierNotes).HasColumnType("jsonb");
            e.Property(x => x.RecoveredFrom).HasMaxLength(500);
            e.HasIndex(x => new { x.OrderId, x.Position });
            // The console: KCIs per minute over the last hour (a BRIN index: rows arrive in handling order, so it stays a few
            // pages and costs the inserts next to nothing), and the search by conversation id.
            e.HasIndex(x => x.HandledAt).HasMethod("brin");
            e.HasIndex(x => x.ConversationId);
        });
        modelBuilder.Entity<ActionItem>(e =>
        {
            e.ToTable("action_items");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.OrderId, x.Open });
            e.HasIndex(x => new { x.Open, x.CreatedAt });
        });
        modelBuilder.Entity<GatewayError>(e =>
        {
            e.ToTable("gateway_errors");
            e.HasKey(x => x.KciId);
            e.Property(x => x.KciId).ValueGeneratedNever();
            e.Property(x => x.Messages).HasColumnType("jsonb");
            e.HasIndex(x => x.RecordedAt);
        });
        modelBuilder.Entity<OperatorAction>(e =>
        {
            e.ToTable("operator_actions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.HasIndex(x => x.At);
        });
        modelBuilder.Entity<NotificationDelivery>(e =>
        {
            e.ToTable("notification_deliveries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Payload).HasColumnType("jsonb");
            // The database's clock: the dispatcher compares next_attempt_at with now().
            e.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
            e.Property(x => x.NextAttemptAt).HasDefaultValueSql("now()");
            e.HasIndex(x => new { x.State, x.NextAttemptAt });
            e.HasIndex(x => new { x.Subscription, x.KciId }).IsUnique();
        });
        modelBuilder.Entity<SequenceGap>(e =>
        {
            e.ToTable("sequence_gaps");
            e.HasKey(x => new { x.OrderId, x.From });
        });
        modelBuilder.Entity<DeadLetter>(e =>
        {
            e.ToTable("dead_letters");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Queue).HasMaxLength(200);
            e.Property(x => x.SourceQueue).HasMaxLength(200);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.State).HasMaxLength(20);
            // A message taken twice (a crash between the commit and the broker's ack) is stored once.
            e.HasIndex(x => new { x.Queue, x.MessageId }).IsUnique();
            e.HasIndex(x => new { x.State, x.Queue, x.FaultedAt });
            e.HasIndex(x => x.OrderId);
        });
        modelBuilder.Entity<SequencerOrder>(e =>
        {
            e.HasNoKey();
            e.ToView("order_overview", "sequencer"); // not ours: no migration of Handlers creates or changes it
        });
        modelBuilder.AddOutbox();
    }
}
