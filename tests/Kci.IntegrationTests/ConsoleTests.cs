using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kci.Hosting;
using Kci.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Kci.IntegrationTests;

/// <summary>
/// The operator console at /console, in a real headless browser (Debian's chromium) against the running pipeline: every page
/// with real data, a blocked order found from the overview and retried, masking, bulk actions, and axe-core's checks.
/// </summary>
[Collection(PipelineCollection.Name)]
public class When_an_operator_uses_the_console(Pipeline pipeline) : IAsyncLifetime
{
    private const string Provide = "PROVIDE_ORDER";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    private async Task<Guid> Post(long entityId, long number, string sample = "provide-order-informational.json", Guid? id = null,
        string? supplier = null, string? status = null)
    {
        var body = Samples.Kci(sample, entityId, number, id);
        if (supplier is not null)
            body["supplier"] = supplier;
        if (status is not null)
            body["entity"]!["status"] = status;
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.PostKciAsync(body)).StatusCode);
        return Guid.Parse(body["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_find_a_blocked_order_from_the_overview_retry_it_with_a_reason_and_see_it_complete()
    {
        var order = Samples.NewEntityId();
        var failing = Guid.NewGuid();
        await using (await pipeline.FailHandlingOfAsync(failing))
        {
            await Post(order, 1, id: failing);
            await Post(order, 2);
            await pipeline.WaitForSequencerViewAsync(Provide, order, v => v["blocked"]!.GetValue<bool>(), Patience);
        }

        var page = await _browser.NewPageAsync(pipeline.Handlers.BaseAddress);
        await page.GotoAsync("console");
        var blocked = page.Locator("[data-reason=blocked] a");
        Assert.True(int.Parse(await blocked.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await ConsoleBrowser.AssertAccessibleAsync(page);
        await blocked.ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, "the orders waiting on a blocked KCI",
            url => url.AbsolutePath == "/console/waiting" && url.Query.Contains("reason=blocked", StringComparison.Ordinal));

        // The search finds it among the blocked orders of every test.
        await page.GetByLabel("Search (order id, KCI id or conversation id)").FillAsync(failing.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, $"the blocked orders found by {failing}",
            url => url.AbsolutePath == "/console/waiting" && url.Query.Contains($"q={failing}", StringComparison.Ordinal));
        await ConsoleBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = $"{Provide}/{order}" }).ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, $"/console/orders/{Provide}/{order}");
        Assert.Contains("waits on blocked", await page.Locator("#main").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Link, new() { Name = "Retry the blocked KCI…" }).ClickAsync();
        Assert.Contains(failing.ToString(), await page.GetByTestId("target").InnerTextAsync(), StringComparison.Ordinal);
        await ConsoleBrowser.AssertAccessibleAsync(page);
        // Without a reason the form does not go: the browser holds it (required), and nothing is sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: retry the blocked KCI" }).ClickAsync();
        Assert.Contains("/console/act", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Reason (required, recorded with the action)").FillAsync("trigger removed, retrying from the console");
        await page.GetByLabel("Your name").FillAsync("ops-console-tester");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: retry the blocked KCI" }).ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, $"/console/orders/{Provide}/{order}");
        Assert.Contains("Done: retry the blocked KCI", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);

        var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
        Assert.Equal([1L, 2L], timeline.Numbers());
        await page.ReloadAsync();
        var text = await page.Locator("#main").InnerTextAsync();
        Assert.Contains("trigger removed, retrying from the console", text, StringComparison.Ordinal);
        Assert.Contains("ops-console-tester", text, StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#timeline + table tbody tr").CountAsync());
        await ConsoleBrowser.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Should_show_every_list_with_the_pipelines_data()
    {
        var order = Samples.NewEntityId();
        await Post(order, 1, "provide-order-action-reappoint.json");
        await Post(order, 2, "provide-order-error.json");
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);

        var page = await _browser.NewPageAsync(pipeline.Handlers.BaseAddress);
        // The error KCI's final status resolved the reappointment it followed.
        foreach (var list in new[] { "orders?", "actions?status=resolved&", "errors?" })
        {
            var response = await page.GotoAsync($"console/{list}q={order}");
            Assert.Equal(200, response!.Status);
            Assert.True((await page.Locator("#main").InnerTextAsync()).Contains($"{Provide}/{order}", StringComparison.Ordinal),
                $"{page.Url}: {await page.Locator("#main").InnerTextAsync()}");
            await ConsoleBrowser.AssertAccessibleAsync(page);
        }
        foreach (var list in new[] { "waiting", "dead-letters", "notifications", "audit", "dead-letters?status=replayed", "actions" })
        {
            var response = await page.GotoAsync($"console/{list}");
            Assert.Equal(200, response!.Status);
            await ConsoleBrowser.AssertAccessibleAsync(page);
        }

        await page.GotoAsync("console");
        await ConsoleBrowser.ScreenshotAsync(page, "console-overview.png");
        // Every number of the overview leads somewhere that answers.
        foreach (var href in await page.Locator("#main a[href^='/console']").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            Assert.Equal(HttpStatusCode.OK, (await pipeline.Operations.GetAsync(href.TrimStart('/'))).StatusCode);

        await page.GotoAsync($"console/orders/{Provide}/{order}");
        var text = await page.Locator("#main").InnerTextAsync();
        Assert.Contains("REAPPOINT", text, StringComparison.Ordinal);  // its action item
        Assert.Contains("Gateway errors", text, StringComparison.Ordinal);
        await ConsoleBrowser.AssertAccessibleAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "console-order.png");
    }

    [Fact]
    public async Task Should_mask_names_emails_and_phone_numbers_unless_the_operator_holds_the_permission()
    {
        var order = Samples.NewEntityId();
        var kci = await Post(order, 1, "provide-order-action-reappoint.json");
        await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 1, Patience);
        var bodyPath = $"console/orders/{Provide}/{order}?body={kci}";

        // The open local console, and the API without a token: masked.
        var open = await _browser.NewPageAsync(pipeline.Handlers.BaseAddress);
        await open.GotoAsync(bodyPath);
        AssertMasked(await open.GetByTestId("kci-body").InnerTextAsync());
        AssertMasked((await pipeline.Operations.GetStringAsync($"orders/{Provide}/{order}")));

        // Signed in: masked with kci.operate alone, shown with kci.personal-data as well.
        var authority = pipeline.Ingress.BaseAddress.ToString().TrimEnd('/');
        await using var operatorIssuer = pipeline.StartIngress(new Dictionary<string, string> { ["Auth__RequiredScope"] = "kci.operate" }, authority);
        await using var personalIssuer = pipeline.StartIngress(new Dictionary<string, string> { ["Auth__RequiredScope"] = "kci.operate kci.personal-data" }, authority);
        await using var handlers = pipeline.StartService("Handlers", extra: new Dictionary<string, string>
        {
            ["OperationsAuth__Enabled"] = "true",
            ["OperationsAuth__Authority"] = authority,
        });
        await Task.WhenAll(operatorIssuer.WaitUntilReadyAsync(), personalIssuer.WaitUntilReadyAsync(), handlers.WaitUntilReadyAsync());

        var page = await _browser.NewPageAsync(handlers.BaseAddress);
        await page.GotoAsync(bodyPath);
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal); // no token: sign in first
        await ConsoleBrowser.AssertAccessibleAsync(page);
        await SignInAsync(page, await pipeline.TokenAsync(operatorIssuer));
        await ConsoleBrowser.ArriveAsync(page, $"/console/orders/{Provide}/{order}?body={kci}");
        AssertMasked(await page.GetByTestId("kci-body").InnerTextAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, "/console/sign-in");
        await page.GotoAsync(bodyPath);
        await SignInAsync(page, await pipeline.TokenAsync(personalIssuer));
        await ConsoleBrowser.ArriveAsync(page, $"/console/orders/{Provide}/{order}?body={kci}");
        var shown = await page.GetByTestId("kci-body").InnerTextAsync();
        Assert.Contains("john@smith.com", shown, StringComparison.Ordinal);
        Assert.Contains("John Smith", shown, StringComparison.Ordinal);

        // The operations API follows the same rule.
        using var api = new HttpClient { BaseAddress = handlers.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await pipeline.TokenAsync(operatorIssuer));
        AssertMasked(await api.GetStringAsync($"orders/{Provide}/{order}"));
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await pipeline.TokenAsync(personalIssuer));
        Assert.Contains("john@smith.com", await api.GetStringAsync($"orders/{Provide}/{order}"), StringComparison.Ordinal);

        // A token that is not one (expired, forged) sends the browser back to sign in, saying so.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, "/console/sign-in");
        await page.GotoAsync(bodyPath);
        await SignInAsync(page, "not.a.token");
        await ConsoleBrowser.ArriveAsync(page, "the sign-in form saying the token was refused",
            url => url.AbsolutePath == "/console/sign-in" && url.Query.Contains("refused=true", StringComparison.Ordinal));
        Assert.Contains("refused", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
    }

    private static async Task SignInAsync(IPage page, string token)
    {
        if (await page.Locator("#token").CountAsync() == 0)
            Assert.Fail($"{page.Url} is not the sign-in form: {await page.ContentAsync()}");
        await page.GetByLabel("Access token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static void AssertMasked(string text)
    {
        Assert.DoesNotContain("john@smith.com", text, StringComparison.Ordinal);
        Assert.DoesNotContain("John Smith", text, StringComparison.Ordinal);
        Assert.DoesNotContain("01234 567890", text, StringComparison.Ordinal);
        Assert.Contains("J•••", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_preview_a_bulk_action_and_act_on_exactly_those_orders()
    {
        var supplier = $"BULK_{Guid.NewGuid():N}"[..16];
        long[] mine = [Samples.NewEntityId(), Samples.NewEntityId()];
        var other = Samples.NewEntityId();
        foreach (var order in new[] { mine[0], mine[1], other })
        {
            await Post(order, 1, supplier: order == other ? $"{supplier}X" : supplier);
            await Post(order, 3, supplier: order == other ? $"{supplier}X" : supplier);
        }
        // #3 may reach the sequencer before #1: the order waits on the gap at 2 once #1 is handled.
        foreach (var order in new[] { mine[0], mine[1], other })
            await pipeline.WaitForSequencerViewAsync(Provide, order,
                v => v["waitingReason"]?.GetValue<string>() == "gap" && v["nextSequence"]!.GetValue<long>() == 2, Patience);

        var page = await _browser.NewPageAsync(pipeline.Handlers.BaseAddress);
        await page.GotoAsync($"console/waiting?reason=gap&supplier={supplier}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Skip every gap in this list…" }).ClickAsync();
        Assert.Equal("2", await page.GetByTestId("preview-count").InnerTextAsync());
        foreach (var order in mine)
            Assert.True((await page.Locator("#main").InnerTextAsync()).Contains($"{Provide}/{order}", StringComparison.Ordinal),
                $"{page.Url}: {await page.Locator("#main").InnerTextAsync()}");
        await ConsoleBrowser.AssertAccessibleAsync(page);
        await page.GetByLabel("Reason (required, recorded with each order's action)").FillAsync("supplier confirmed number 2 was never sent");
        await page.GetByLabel("Your name").FillAsync("ops-bulk-tester");
        await page.GetByRole(AriaRole.Button, new() { Name = "skip these 2 orders" }).ClickAsync();
        await ConsoleBrowser.ArriveAsync(page, "/console/audit");
        Assert.Contains("sent to 2 orders", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);

        foreach (var order in mine)
        {
            var timeline = await pipeline.WaitForTimelineAsync(Provide, order.ToString(), t => t.Count == 2, Patience);
            Assert.Equal([1L, 3L], timeline.Numbers());
        }
        var untouched = await pipeline.OrderAsync(Provide, other);
        Assert.Equal("gap", untouched["sequencer"]!["waitingReason"]!.GetValue<string>());
        var audit = await pipeline.Operations.GetStringAsync("operator-actions");
        Assert.Equal(2, audit.Split("supplier confirmed number 2 was never sent").Length - 1);
    }

    [Fact]
    public async Task Should_remove_a_closed_orders_bodies_after_the_retention_period_and_keep_its_timeline()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var closed = Samples.NewEntityId();
        var live = Samples.NewEntityId();
        await Post(closed, 1, status: "COMPLETED");
        await Post(live, 1, status: "IN_PROGRESS");
        await pipeline.WaitForTimelineAsync(Provide, closed.ToString(), t => t.Count == 1, Patience);
        await pipeline.WaitForTimelineAsync(Provide, live.ToString(), t => t.Count == 1, Patience);

        // A Handlers instance whose retention period is seconds long (the default is 90 days).
        await using var handlers = pipeline.StartService("Handlers", extra: new Dictionary<string, string>
        {
            ["Retention__ClosedOrderBodies"] = "00:00:02",
            ["Retention__Interval"] = "00:00:01",
        });
        await handlers.WaitUntilReadyAsync();

        var closedId = NameBasedGuid.ForOrder(Provide, closed.ToString());
        var deadline = DateTime.UtcNow + Patience;
        while (await pipeline.ScalarAsync<bool>("SELECT body IS NOT NULL FROM handlers.timeline WHERE order_id = @id", closedId) && DateTime.UtcNow < deadline)
            await Task.Delay(500);

        Assert.False(await pipeline.ScalarAsync<bool>("SELECT body IS NOT NULL FROM handlers.timeline WHERE order_id = @id", closedId));
        var entity = await pipeline.ScalarAsync<string>("SELECT entity FROM handlers.orders WHERE order_id = @id", closedId);
        Assert.DoesNotContain("john@smith.com", entity, StringComparison.Ordinal);
        Assert.Contains("[redacted]", entity, StringComparison.Ordinal);
        // The timeline's metadata stays: number, type, times, conversation.
        var timeline = await pipeline.WaitForTimelineAsync(Provide, closed.ToString(), t => t.Count == 1, Patience);
        Assert.Equal([1L], timeline.Numbers());
        Assert.Equal("INFORMATIONAL", timeline[0]!["updateType"]!.GetValue<string>());
        Assert.Equal("conversation-it", timeline[0]!["conversationId"]!.GetValue<string>());
        // An order still open keeps its body; the run is audited.
        Assert.True(await pipeline.ScalarAsync<bool>("SELECT body IS NOT NULL FROM handlers.timeline WHERE order_id = @id", NameBasedGuid.ForOrder(Provide, live.ToString())));
        Assert.True(await pipeline.ScalarAsync<bool>("SELECT redacted_at IS NOT NULL FROM handlers.orders WHERE order_id = @id", closedId));
        var audit = await pipeline.Operations.GetFromJsonAsync<JsonArray>("operator-actions");
        Assert.Contains(audit!, a => a!["command"]!.GetValue<string>() == "retention" && a["operator"]!.GetValue<string>() == "retention job"
                                     && a["at"]!.GetValue<DateTimeOffset>() >= started && a["reason"]!.GetValue<string>().Contains("UK GDPR", StringComparison.Ordinal));
    }

}
