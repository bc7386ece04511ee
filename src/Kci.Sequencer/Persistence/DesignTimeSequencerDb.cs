using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kci.Sequencer.Persistence;

/// <summary>For <c>dotnet ef migrations add</c> only; nothing connects.</summary>
internal sealed class DesignTimeSequencerDb : IDesignTimeDbContextFactory<SequencerDb>
{
    public SequencerDb CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<SequencerDb>()
        .UseNpgsql("Host=localhost;Database=kci", o => o.MigrationsHistoryTable("__ef_migrations_history", SequencerDb.Schema))
        .UseSnakeCaseNamingConvention()
        .Options);
}
