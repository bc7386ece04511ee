using Kci.Hosting;

namespace Kci.UnitTests.Handlers;

public class When_ids_are_derived_from_names
{
    [Fact]
    public void Should_give_the_same_order_id_for_the_same_order() =>
        Assert.Equal(NameBasedGuid.ForOrder("PROVIDE_ORDER", "123"), NameBasedGuid.ForOrder("PROVIDE_ORDER", "123"));

    [Fact]
    public void Should_give_other_ids_for_other_orders() =>
        Assert.NotEqual(NameBasedGuid.ForOrder("PROVIDE_ORDER", "123"), NameBasedGuid.ForOrder("CEASE_ORDER", "123"));

    [Fact]
    public void Should_keep_a_conversation_id_that_is_a_uuid()
    {
        var id = Guid.NewGuid();
        Assert.Equal(id, NameBasedGuid.ForConversation(id.ToString()));
    }

    [Fact]
    public void Should_map_any_other_conversation_id_to_a_version_5_uuid()
    {
        var id = NameBasedGuid.ForConversation("conversation-1");
        Assert.Equal(5, id.Version);
        Assert.Equal(id, NameBasedGuid.ForConversation("conversation-1"));
    }

    [Fact]
    public void Should_match_the_rfc_9562_test_vector()
    {
        // RFC 9562 appendix A.4: name "www.example.com" in the DNS namespace.
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), NameBasedGuid.Create(dns, "www.example.com"));
    }
}
