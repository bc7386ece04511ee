using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kci.Handlers.Persistence;

/// <summary>For <c>dotnet ef migrations add</c> only; nothing connects.</summary>
internal sealed class DesignTimeHandlersDb : IDesignTimeDbContextFactory<HandlersDb>
{
    public HandlersDb CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<HandlersDb>()
        .UseNpgsql("Host=localhost;Database=kci", o => o.MigrationsHistoryTable("__ef_migrations_history", HandlersDb.Schema))
        .UseSnakeCaseNamingConvention()
        .Options);
}
