using Kci.Hosting.Persistence;

namespace Kci.UnitTests.Hosting;

public class When_a_service_opens_its_database
{
    [Fact]
    public void Should_keep_connection_state_and_prepare_hot_statements_by_default()
    {
        using var dataSource = DatabaseExtensions.DataSource("Host=db;Database=kci;Username=kci");

        Assert.Contains("No Reset On Close=True", dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Max Auto Prepare=64", dataSource.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0")]
    public void Should_leave_what_the_connection_string_sets(string connectionString)
    {
        using var dataSource = DatabaseExtensions.DataSource(connectionString);

        Assert.DoesNotContain("No Reset On Close=True", dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("Max Auto Prepare=64", dataSource.ConnectionString, StringComparison.Ordinal);
    }
}
