using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.IntegrationTests.Infrastructure;

namespace Kci.IntegrationTests;

[Collection(PipelineCollection.Name)]
public class When_the_openapi_document_is_read(Pipeline pipeline)
{
    [Fact]
    public async Task Should_describe_post_kcis_with_headers_security_body_and_every_response()
    {
        var document = (await pipeline.Gateway.GetFromJsonAsync<JsonObject>("openapi/v1.json"))!;
        var post = document["paths"]!["/kcis"]!["post"]!;

        Assert.Equal(["X-Conversation-ID", "X-Request-ID"],
            post["parameters"]!.AsArray().Where(p => p!["in"]!.GetValue<string>() == "header" && p["required"]!.GetValue<bool>())
                .Select(p => p!["name"]!.GetValue<string>()).Order());
        Assert.NotNull(post["requestBody"]!["content"]!["application/json"]!["schema"]);
        Assert.Equal(["204", "400", "401", "403", "422", "500", "503"], post["responses"]!.AsObject().Select(r => r.Key).Order());
        foreach (var status in new[] { "400", "401", "422", "500" })
            Assert.Equal("#/components/schemas/KciError", post["responses"]![status]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(post["security"]!.AsArray().Single()!["oauth2"]);

        var error = document["components"]!["schemas"]!["KciError"]!["properties"]!.AsObject();
        Assert.Equal(["code", "messages", "uuid"], error.Select(p => p.Key).Order());
        Assert.Equal("client_credentials", document["components"]!["securitySchemes"]!["oauth2"]!["flows"]!.AsObject().Single().Key switch
        {
            "clientCredentials" => "client_credentials",
            var other => other,
        });
    }
}
