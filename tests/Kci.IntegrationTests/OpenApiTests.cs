using System.Diagnostics;
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

    [Fact]
    public async Task Should_pass_redocly_lint_with_its_recommended_rules()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kci-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, await pipeline.Gateway.GetStringAsync("openapi/v1.json"));
        try
        {
            var (exit, output) = await RedoclyLintAsync(path);
            Assert.True(exit == 0, output);
            Assert.Contains("Woohoo! Your API description is valid", output, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"You have \d+ warnings?", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Should_serve_the_operations_apis_document_and_pass_redocly_lint_with_its_recommended_rules()
    {
        var text = await pipeline.Operations.GetStringAsync("openapi/v1.json");
        var document = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("Kci: Operations API", document["info"]!["title"]!.GetValue<string>());
        Assert.NotNull(document["paths"]!["/orders/{entityType}/{entityId}/recover"]);
        var path = Path.Combine(Path.GetTempPath(), $"kci-openapi-ops-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, text);
        try
        {
            var (exit, output) = await RedoclyLintAsync(path);
            Assert.True(exit == 0, output);
            Assert.Contains("Woohoo! Your API description is valid", output, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"You have \d+ warnings?", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Redocly CLI from tools/openapi-lint (installed by scripts/test.sh with npm ci), telemetry and update checks off.</summary>
    internal static async Task<(int Exit, string Output)> RedoclyLintAsync(string document)
    {
        var tool = Path.Combine(ServiceProcess.RepositoryRoot, "tools", "openapi-lint");
        var redocly = Path.Combine(tool, "node_modules", ".bin", "redocly");
        if (!File.Exists(redocly))
            throw new InvalidOperationException($"{redocly} is missing: run `npm ci --prefix {tool}` (scripts/test.sh does).");
        var start = new ProcessStartInfo(redocly) { WorkingDirectory = tool, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["lint", "--extends=recommended", document])
            start.ArgumentList.Add(arg);
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
