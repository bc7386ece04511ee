using Kci.Handlers.Operations;
using Microsoft.AspNetCore.Http;

namespace Kci.UnitTests.Handlers;

public class When_a_list_links_its_next_page
{
    [Theory]
    [InlineData("/actions", "", 2, "/actions?page=2")]
    [InlineData("/actions", "?state=open", 2, "/actions?state=open&page=2")]
    [InlineData("/dead-letters", "?page=3&queue=kci-informational_error&state=dead", 4, "/dead-letters?queue=kci-informational_error&state=dead&page=4")]
    [InlineData("/notifications", "?Page=1&state=failed", 2, "/notifications?state=failed&page=2")]
    public void Should_keep_the_other_parameters_and_replace_the_page(string path, string query, int page, string expected)
    {
        var request = new DefaultHttpContext().Request;
        request.Path = path;
        request.QueryString = new QueryString(query);
        Assert.Equal(expected, ListPages.NextPage(request, page));
    }

    [Fact]
    public void Should_encode_a_parameter_value_it_carries_over()
    {
        var request = new DefaultHttpContext().Request;
        request.Path = "/dead-letters";
        request.QueryString = QueryString.Create("queue", "a b&c");
        Assert.Equal("/dead-letters?queue=a%20b%26c&page=2", ListPages.NextPage(request, 2));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(1, true)]
    [InlineData(ListPages.MaxPage, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(ListPages.MaxPage + 1, false)]
    public void Should_take_a_page_from_one_to_the_most(int? page, bool taken) =>
        Assert.Equal(taken, ListPages.Refuse(page) is null);
}
