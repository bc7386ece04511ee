using Kci.Hosting.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Persistence;

/// <summary>Handlers' tables, in schema <c>handlers</c>.</summary>
public sealed class HandlersDb(DbContextOptions<HandlersDb> options) : DbContext(options)
{
    public const string Schema = "handlers";

    public DbSet<OrderState> Orders => Set<OrderState>();
    public DbSet<TimelineEntry> Timeline => Set<TimelineEntry>();

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
            e.Property(x => x.Position).UseIdentityAlwaysColumn();
            e.Property(x => x.SupplierNotes).HasColumnType("jsonb");
            e.HasIndex(x => new { x.OrderId, x.Position });
        });
        modelBuilder.AddOutbox();
    }
}
