using Kci.Sequencer.Persistence;
using Kci.Sequencer.Sequencing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Kci.UnitTests.Sequencing;

/// <summary>
/// The saga's hand-written load must read every column the model maps: a property added to the saga or its KCIs and
/// forgotten in the loader would silently load as its default and be written back so.
/// </summary>
public sealed class OrderSequenceLoaderTests
{
    private static readonly IModel Model = new SequencerDb(new DbContextOptionsBuilder<SequencerDb>()
        .UseNpgsql("Host=unused").UseSnakeCaseNamingConvention().Options).Model;

    [Theory]
    [InlineData(typeof(OrderSequence), OrderSequenceLoader.SagaColumns)]
    [InlineData(typeof(SequencedKci), OrderSequenceLoader.KciColumns)]
    public void Should_read_every_column_the_model_maps(Type entity, string loaderColumns)
    {
        var type = Model.FindEntityType(entity)!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var mapped = type.GetProperties().Select(p => p.GetColumnName(table)!).Order().ToArray();

        var read = loaderColumns.Split(',', StringSplitOptions.TrimEntries).Order().ToArray();

        Assert.Equal(mapped, read);
    }
}
