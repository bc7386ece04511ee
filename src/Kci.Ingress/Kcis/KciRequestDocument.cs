using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;

namespace Kci.Ingress.Kcis;

// The request body as the OpenAPI document describes it (Tenant Updates API v1.14). The endpoint itself reads
// the raw body, so every field the gateway adds is kept; these types exist for the document only.

[Description("A KCI (Keep Customer Informed update) about one order")]
public sealed record KciRequestDocument(
    [property: Required, Description("Unique identifier of this KCI (UUID)")] Guid Id,
    [property: Required, RegularExpression(@"^\w{1,20}$"), Description("The supplier's identifier on the gateway")] string Supplier,
    [property: Required, Range(1, long.MaxValue), Description("Sequence number of this KCI within its order, for ordering")] long SequenceNumber,
    [property: Description("When the supplier issued it (absent when the gateway originated it)")] DateTimeOffset? IssuedOn,
    [property: Description("When the gateway received it (absent when the gateway originated it)")] DateTimeOffset? ReceivedOn,
    [property: Required, Description("When the gateway delivered it")] DateTimeOffset DeliveredOn,
    [property: Description("Notes the supplier added")] IReadOnlyList<SupplierNoteDocument>? SupplierNotes,
    [property: Required, Description("INFORMATIONAL, ACTION_REQUIRED or ERROR; open: unknown values are accepted")] string UpdateType,
    [property: Description("Required when updateType is INFORMATIONAL")] PayloadDocument? Information,
    [property: Description("Required when updateType is ACTION_REQUIRED")] PayloadDocument? Action,
    [property: Description("Required when updateType is ERROR")] ErrorPayloadDocument? Error,
    [property: Required, Description("PROVIDE_ORDER, MODIFY_ORDER, CEASE_ORDER, UNSOLICITED_CEASE_ORDER, SERVICE_TEST, SERVICE_PROBLEM, ...; open")] string EntityType,
    [property: Required, Description("The latest full version of the order or problem; its numeric id identifies the order")] JsonObject Entity);

public sealed record SupplierNoteDocument(string? Note, JsonNode? Type, DateTimeOffset? Created);

public sealed record PayloadDocument(
    [property: Required, Description("Reason, e.g. ACKNOWLEDGED, COMMITTED, COMPLETED, REAPPOINT; open")] string Type,
    [property: Description("Problem code, e.g. UNABLE_TO_ATTEND; open")] string? Code,
    string? Text,
    [property: Description("Deprecated: use supplierCodes")] string? SupplierCode,
    IReadOnlyList<string>? SupplierCodes);

public sealed record ErrorPayloadDocument(
    [property: Required] string Uuid,
    [property: Required, Description("GATEWAY_FAULT, SUPPLIER_FAULT, SUPPLIER_TIMED_OUT, ...")] string Code,
    [property: Required] IReadOnlyList<string> Messages);
