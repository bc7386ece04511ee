using System.Text.Json;
using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>
/// One order: its timeline with the flags spelt out, the sequencer's state and the actions that apply to it now, its
/// action items, gateway errors, notifications, dead letters and operator actions, and a KCI's body on demand (names,
/// e-mails and phone numbers masked without the personal-data permission).
/// </summary>
public sealed class OrderModel(HandlersDb db, PersonalDataAccess personal, TimeProvider clock) : PageModel
{
    [FromRoute] public string EntityType { get; set; } = "";
    [FromRoute] public string EntityId { get; set; } = "";
    [BindProperty(SupportsGet = true, Name = "body")] public Guid? BodyOf { get; set; }

    public DateTimeOffset Now { get; private set; }
    public OrderState? Order { get; private set; }
    public SequencerView? Sequencer { get; private set; }
    public List<TimelineLine> Timeline { get; private set; } = [];
    public List<ActionItem> Actions { get; private set; } = [];
    public List<GatewayError> Errors { get; private set; } = [];
    public List<NotificationDelivery> Notifications { get; private set; } = [];
    public List<DeadLetter> DeadLetters { get; private set; } = [];
    public List<OperatorAction> OperatorActions { get; private set; } = [];
    public List<SequenceGap> Gaps { get; private set; } = [];
    public PersonalView Personal { get; private set; }
    public string? Body { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Personal = personal.For(User);
        var orderId = NameBasedGuid.ForOrder(EntityType, EntityId);
        Order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.OrderId == orderId, cancellationToken);
        Sequencer = await SequencerReader.ForOrderAsync(db, orderId, cancellationToken);
        DeadLetters = await db.DeadLetters.AsNoTracking().Where(d => d.OrderId == orderId).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        if (Order is null && Sequencer is null && DeadLetters.Count == 0)
            return NotFound();

        // Without the bodies: one is read when asked for.
        Timeline = await db.Timeline.AsNoTracking().Where(t => t.OrderId == orderId).OrderBy(t => t.Position)
            .Select(t => new TimelineLine(t.KciId, t.SequenceNumber, t.UpdateType, t.PayloadType, t.Code, t.Text, t.Late, t.SequenceConflict,
                t.GapBefore, t.RecoveredFrom, t.HandledAt, t.ConversationId, t.Body != null))
            .ToListAsync(cancellationToken);
        Actions = await db.Actions.AsNoTracking().Where(a => a.OrderId == orderId).OrderByDescending(a => a.Open).ThenBy(a => a.SequenceNumber).ToListAsync(cancellationToken);
        Errors = await db.Errors.AsNoTracking().Where(e => e.OrderId == orderId).OrderBy(e => e.SequenceNumber).ToListAsync(cancellationToken);
        Gaps = await db.Gaps.AsNoTracking().Where(g => g.OrderId == orderId).OrderBy(g => g.From).ToListAsync(cancellationToken);
        var kciIds = Timeline.Select(t => t.KciId).ToList();
        Notifications = await db.Notifications.AsNoTracking().Where(n => kciIds.Contains(n.KciId)).OrderBy(n => n.Id).ToListAsync(cancellationToken);
        var prefix = $"{EntityType}/{EntityId} ";
        var related = Actions.Select(a => a.Id.ToString()).Concat(DeadLetters.Select(d => $"dead-letter/{d.Id}")).ToList();
        OperatorActions = await db.OperatorActions.AsNoTracking()
            .Where(a => a.Target.StartsWith(prefix) || related.Contains(a.Target)).OrderByDescending(a => a.At).Take(200).ToListAsync(cancellationToken);

        if (BodyOf is { } kci && await db.Timeline.AsNoTracking().Where(t => t.KciId == kci && t.OrderId == orderId).Select(t => t.Body)
                .SingleOrDefaultAsync(cancellationToken) is { } body)
            Body = Pretty(Personal.Json(body));
        return Page();
    }

    /// <summary>The link to a confirmation page for <paramref name="command"/> on this order's <paramref name="target"/>.</summary>
    public string Act(string command, string target) =>
        $"/console/act?command={command}&type={Uri.EscapeDataString(EntityType)}&id={Uri.EscapeDataString(EntityId)}&target={Uri.EscapeDataString(target)}";

    /// <summary>Indented, with characters as written (the page's HTML encoding protects it, not JSON escapes).</summary>
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string? Pretty(string? json)
    {
        if (json is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}

/// <summary>A line of the order page's timeline: the KCI's metadata, and whether its body is still kept (not the body itself).</summary>
public sealed record TimelineLine(Guid KciId, long SequenceNumber, string UpdateType, string? PayloadType, string? Code, string? Text, bool Late,
    bool SequenceConflict, long GapBefore, string? RecoveredFrom, DateTimeOffset HandledAt, string ConversationId, bool HasBody);
