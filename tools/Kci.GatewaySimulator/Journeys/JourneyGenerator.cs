using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kci.GatewaySimulator.Journeys;

/// <summary>
/// Makes the orders of a run: realistic journeys valid per the KCI contract, with field values from a fixed seed.
/// Order <c>i</c> of a seed is always the same, whatever else the run does.
/// </summary>
public sealed class JourneyGenerator(SimulatorOptions options)
{
    private static readonly string[] Suppliers = ["OPENREACH", "CITYFIBRE", "NETOMNIA", "HYPEROPTIC", "TOOTFIBRE"];
    private static readonly string[] FirstNames = ["Olivia", "George", "Amelia", "Harry", "Isla", "Noah", "Ava", "Oscar", "Mia", "Arthur", "Freya", "Leo", "Aisha", "Mohammed", "Siobhan", "Rhys", "Priya", "Callum"];
    private static readonly string[] LastNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Patel", "Khan", "Roberts", "Walker", "MacDonald", "Hughes", "O'Neill", "Davies"];
    private static readonly string[] Streets = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue", "The Crescent", "Queens Road", "Kings Way", "Orchard Close"];
    private static readonly (string Town, string Area)[] Towns = [("Leeds", "LS"), ("Bristol", "BS"), ("Norwich", "NR"), ("Cardiff", "CF"), ("Glasgow", "G"), ("Exeter", "EX"), ("York", "YO"), ("Belfast", "BT")];
    private static readonly string[] Profiles = ["80M_20M", "160M_30M", "330M_50M", "500M_75M", "900M_900M", "1G_1G"];
    private static readonly string[] DelayCodes = ["CAPACITY_ISSUE", "WAYLEAVE_ISSUE", "PLANNING_ISSUE", "NETWORK_ISSUE"];
    private static readonly (string Code, string Text)[] ReappointReasons =
    [
        ("UNABLE_TO_ATTEND", "Engineer could not attend; please book a new appointment"),
        ("ACCESS_ISSUE", "No access to the property at the appointment time"),
        ("PROPERTY_UNOCCUPIED", "Nobody was at the property; please book a new appointment"),
    ];
    private static readonly string[] ProblemCodes = ["FAULT_AT_NODE", "FAULT_AT_ONT", "FAULT_AT_POP", "UNKNOWN_FAULT"];
    private static readonly string[] ErrorCodes = ["SUPPLIER_TIMED_OUT", "SUPPLIER_FAULT", "GATEWAY_FAULT"];
    private static readonly DateTimeOffset Epoch = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The run's orders, made one at a time as they are asked for.</summary>
    public IEnumerable<PlannedOrder> Orders()
    {
        for (var i = 0; i < options.Orders; i++)
            yield return Order(i);
    }

    public PlannedOrder Order(int index)
    {
        var random = new Random(unchecked(options.Seed * 1_000_003 + index));
        var entityId = options.EffectiveFirstOrderId + index;
        var (journey, entityType, steps) = options.KcisPerOrder > 0 ? FixedProvide(options.KcisPerOrder) : Pick(random);
        var entity = new EntityWriter(random, entityType, entityId);
        var start = Epoch.AddMinutes(random.Next(0, 60 * 24 * 300));
        var kcis = new List<PlannedKci>(steps.Count);
        var at = start;
        for (var n = 0; n < steps.Count; n++)
        {
            at = at.AddHours(random.Next(2, 60)).AddSeconds(random.Next(0, 3600));
            var step = steps[n];
            entity.Apply(step, at);
            var id = NewUuid(random);
            kcis.Add(new PlannedKci(id, n + 1, step.UpdateType, step.Type, Body(random, id, n + 1, step, entityType, entity, at)));
        }

        var withheld = Withheld(random, kcis.Count);
        var sends = Sends(random, kcis.Where(k => !withheld.Contains(k.SequenceNumber)).ToList());
        return new PlannedOrder(journey, entityType, entityId, NewUuid(random).ToString(), kcis, withheld, sends) { Index = index };
    }

    private static (string Journey, string EntityType, List<Step> Steps) Pick(Random random) => random.Next(100) switch
    {
        < 50 => ("provide", "PROVIDE_ORDER", Provide(random)),
        < 60 => ("modify", "MODIFY_ORDER", [Step.Info("UPDATE", "SENT_TO_SUPPLIER"), Step.Info("ACKNOWLEDGED", "ACKNOWLEDGED"), Step.Info("COMMITTED", "IN_PROGRESS"), Step.Info("COMPLETED", "COMPLETED")]),
        < 70 => ("cease", "CEASE_ORDER", [Step.Info("UPDATE", "SENT_TO_SUPPLIER"), Step.Info("ACKNOWLEDGED", "ACKNOWLEDGED"), Step.Info("COMMITTED", "IN_PROGRESS"), Step.Info("COMPLETED", "COMPLETED")]),
        < 75 => ("unsolicited-cease", "UNSOLICITED_CEASE_ORDER", [Step.Info("CREATED", "RECEIVED_BY_GATEWAY"), Step.Info("ACKNOWLEDGED", "ACKNOWLEDGED"), Step.Info("COMPLETED", "COMPLETED")]),
        < 90 => ("service-problem", "SERVICE_PROBLEM", ServiceProblem(random)),
        _ => ("gateway-error", "PROVIDE_ORDER", [Step.Error(ErrorCodes[random.Next(ErrorCodes.Length)])]),
    };

    private static List<Step> Provide(Random random)
    {
        List<Step> steps = [Step.Info("UPDATE", "SENT_TO_SUPPLIER"), Step.Info("ACKNOWLEDGED", "ACKNOWLEDGED"), Step.Info("COMMITTED", "IN_PROGRESS")];
        if (random.Next(100) < 25)
        {
            var code = DelayCodes[random.Next(DelayCodes.Length)];
            steps.Add(Step.Info("DELAY", "HELD", code, "Work delayed by the supplier"));
            steps.Add(Step.Info("RESUMED", "IN_PROGRESS"));
        }
        if (random.Next(100) < 25)
        {
            var (code, text) = ReappointReasons[random.Next(ReappointReasons.Length)];
            steps.Add(Step.Action("REAPPOINT", "PENDING", code, text));
            steps.Add(Step.Info("REAPPOINTED", "IN_PROGRESS"));
        }
        if (random.Next(100) < 20)
        {
            steps.Add(Step.Action("INFORMATION_REQUIRED", "PENDING", "INFORMATION_REQUIRED", "Please send the site contact's phone number"));
            steps.Add(Step.Info("AMENDED", "IN_PROGRESS"));
        }
        steps.Add(Step.Info("COMPLETED", "COMPLETED"));
        return steps;
    }

    private static List<Step> ServiceProblem(Random random)
    {
        var code = ProblemCodes[random.Next(ProblemCodes.Length)];
        List<Step> steps = [Step.Info("UPDATE", "IN_PROGRESS", text: "Investigating")];
        if (random.Next(100) < 40)
            steps.Add(Step.Info("UPDATE", "NETWORK_INCIDENT", code, "Linked to a network incident"));
        steps.Add(Step.Action("CONFIRM", "RESOLVED", code, "Please confirm the service is restored"));
        return steps;
    }

    private static (string, string, List<Step>) FixedProvide(int count)
    {
        string[] opening = ["UPDATE", "ACKNOWLEDGED", "COMMITTED"];
        var steps = new List<Step>(count);
        for (var n = 0; n < count - 1; n++)
            steps.Add(n < opening.Length
                ? Step.Info(opening[n], n == 0 ? "SENT_TO_SUPPLIER" : n == 1 ? "ACKNOWLEDGED" : "IN_PROGRESS")
                : Step.Info("UPDATE", "IN_PROGRESS", text: "Work in progress"));
        steps.Add(Step.Info("COMPLETED", "COMPLETED"));
        return ("provide", "PROVIDE_ORDER", steps);
    }

    /// <summary>Numbers never sent: any but the last, which nothing would follow to show the gap.</summary>
    private HashSet<long> Withheld(Random random, int count)
    {
        var withheld = new HashSet<long>();
        for (var n = 1; n < count; n++)
            if (random.NextDouble() < options.GapRate)
                withheld.Add(n);
        return withheld;
    }

    /// <summary>
    /// The POSTs in order: each KCI moved at most <see cref="SimulatorOptions.Shuffle"/> places (sorting by position
    /// plus a random offset below shuffle + 1 cannot move one further), and some sent again later.
    /// </summary>
    private List<PlannedSend> Sends(Random random, List<PlannedKci> sent)
    {
        var shuffled = sent.Select((kci, i) => (kci, key: i + random.NextDouble() * (options.Shuffle + 1)))
            .OrderBy(x => x.key).Select(x => x.kci).ToList();
        var sends = shuffled.Select(k => new PlannedSend(k, Repeat: false)).ToList();
        foreach (var kci in shuffled)
        {
            if (random.NextDouble() >= options.DuplicateRate)
                continue;
            var original = sends.FindIndex(s => s.Kci == kci && !s.Repeat);
            sends.Insert(random.Next(original + 1, sends.Count + 1), new PlannedSend(kci, Repeat: true));
        }
        return sends;
    }

    private static Guid NewUuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)(bytes[7] & 0x0F | 0x40); // version 4, in the little-endian layout Guid(bytes) reads
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private static byte[] Body(Random random, Guid id, long number, Step step, string entityType, EntityWriter entity, DateTimeOffset at)
    {
        var body = new JsonObject
        {
            ["id"] = id.ToString(),
            ["supplier"] = entity.Supplier,
            ["sequenceNumber"] = number,
        };
        var gatewayOriginated = step.UpdateType == "ERROR" || step.Type == "CREATED" && entityType == "UNSOLICITED_CEASE_ORDER";
        if (!gatewayOriginated)
        {
            body["issuedOn"] = Stamp(at);
            body["receivedOn"] = Stamp(at.AddSeconds(random.Next(1, 5)));
        }
        body["deliveredOn"] = Stamp(at.AddSeconds(random.Next(5, 30)));
        if (step.UpdateType != "ERROR" && random.Next(100) < 30)
            body["supplierNotes"] = new JsonArray(new JsonObject
            {
                ["note"] = step.Type == "COMPLETED" ? "Service live and tested at the ONT" : "Engineer visited; duct clear",
                ["type"] = new JsonArray("Engineer Note", "Site Visit Note"),
                ["created"] = Stamp(at.AddMinutes(-random.Next(5, 120))),
            });
        body["updateType"] = step.UpdateType;
        body[step.UpdateType switch { "INFORMATIONAL" => "information", "ACTION_REQUIRED" => "action", _ => "error" }] = step.UpdateType == "ERROR"
            ? new JsonObject
            {
                ["uuid"] = NewUuid(random).ToString(),
                ["code"] = step.Type,
                ["messages"] = new JsonArray(step.Type switch
                {
                    "SUPPLIER_TIMED_OUT" => "The gateway did not receive a timely response from the supplier",
                    "SUPPLIER_FAULT" => "The supplier could not process the order",
                    _ => "The gateway could not send the order to the supplier",
                }),
            }
            : Payload(random, step);
        body["entityType"] = entityType;
        body["entity"] = entity.Snapshot();
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonObject Payload(Random random, Step step)
    {
        var payload = new JsonObject { ["type"] = step.Type };
        if (step.Code is not null)
            payload["code"] = step.Code;
        if (step.Text is not null)
            payload["text"] = step.Text;
        if (step.Code is not null && random.Next(100) < 50)
            payload["supplierCodes"] = new JsonArray(random.Next(100, 999).ToString(CultureInfo.InvariantCulture));
        return payload;
    }

    internal static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The order (or service problem) as it stands after each step: the gateway always sends the latest full version.</summary>
    private sealed class EntityWriter
    {
        private readonly JsonObject _entity;
        private readonly Random _random;
        private readonly string _entityType;

        public string Supplier { get; }

        public EntityWriter(Random random, string entityType, long entityId)
        {
            _random = random;
            _entityType = entityType;
            Supplier = Suppliers[random.Next(Suppliers.Length)];
            _entity = entityType == "SERVICE_PROBLEM" ? Problem(entityId) : Order(entityId);
        }

        public JsonObject Snapshot() => (JsonObject)_entity.DeepClone();

        public void Apply(Step step, DateTimeOffset at)
        {
            _entity["status"] = step.Status;
            if (_entityType == "SERVICE_PROBLEM")
                return;
            _entity["updated"] = Stamp(at);
            if (step.Type == "COMMITTED")
            {
                var committed = at.Date.AddDays(_random.Next(7, 30));
                _entity["committedDate"] = Stamp(new DateTimeOffset(committed, TimeSpan.Zero));
                _entity["targetDate"] = Stamp(new DateTimeOffset(committed, TimeSpan.Zero));
                if (_entityType == "PROVIDE_ORDER")
                    SetAppointment(committed);
            }
            else if (step.Type == "REAPPOINTED")
            {
                SetAppointment(at.Date.AddDays(_random.Next(3, 14)));
            }
            else if (step.Type == "AMENDED")
            {
                _entity["serviceOrderAmendment"] = new JsonObject
                {
                    ["id"] = _random.Next(10_000, 99_999),
                    ["orderId"] = _entity["id"]!.DeepClone(),
                    ["status"] = "ACCEPTED",
                };
            }
        }

        private void SetAppointment(DateTime day)
        {
            while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                day = day.AddDays(1);
            var morning = _random.Next(2) == 0;
            var start = new DateTimeOffset(day.AddHours(morning ? 8 : 13), TimeSpan.Zero);
            _entity["appointmentReservationId"] = _random.Next(100_000, 999_999);
            _entity["appointmentSupplierReference"] = _random.NextInt64(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
            _entity["appointmentTimeslot"] = new JsonObject
            {
                ["timeslotStartDateTime"] = Stamp(start),
                ["timeslotEndDateTime"] = Stamp(start.AddHours(5)),
            };
        }

        private JsonObject Order(long entityId)
        {
            var orderType = _entityType switch
            {
                "MODIFY_ORDER" => "MODIFY",
                "CEASE_ORDER" => "CEASE",
                "UNSOLICITED_CEASE_ORDER" => "UNSOLICITED_CEASE",
                _ => new[] { "NEW", "NEW", "NEW", "START", "TAKEOVER", "TRANSFER" }[_random.Next(6)],
            };
            var created = Stamp(Epoch.AddMinutes(-_random.Next(60, 60 * 24 * 30)));
            var order = new JsonObject
            {
                ["id"] = entityId,
                ["orderType"] = orderType,
                ["supplier"] = Supplier,
                ["supplierOrderNumber"] = $"{Supplier[..2]}{_random.Next(1_000_000, 9_999_999)}",
                ["status"] = "RECEIVED_BY_GATEWAY",
                ["created"] = created,
                ["updated"] = created,
            };
            switch (_entityType)
            {
                case "PROVIDE_ORDER":
                    order["address"] = Address();
                    order["serviceOrderItem"] = new JsonObject
                    {
                        ["serviceSpecification"] = new JsonObject { ["id"] = "ftthl2r", ["name"] = "FTTH" },
                        ["serviceCharacteristics"] = new JsonArray(new JsonObject { ["name"] = "LINE_PROFILE", ["value"] = Profiles[_random.Next(Profiles.Length)] }),
                    };
                    order["primaryContact"] = Contact();
                    if (_random.Next(100) < 40)
                        order["secondaryContact"] = Contact();
                    order["requestedCompletionDate"] = Epoch.AddDays(_random.Next(14, 60)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    order["engineerTasks"] = new JsonArray("TEST_SINGLE_DEVICE");
                    if (_random.Next(100) < 15)
                        order["hazards"] = "Dog on the premises";
                    if (_random.Next(100) < 15)
                        order["onSiteRestrictions"] = "Parking permit needed; ask at reception";
                    break;
                case "MODIFY_ORDER":
                    order["serviceId"] = ServiceId();
                    order["serviceCharacteristics"] = new JsonArray(new JsonObject { ["name"] = "LINE_PROFILE", ["value"] = Profiles[_random.Next(Profiles.Length)] });
                    break;
                case "CEASE_ORDER":
                    order["serviceId"] = ServiceId();
                    order["requestedCompletionDate"] = Epoch.AddDays(_random.Next(14, 60)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    break;
                case "UNSOLICITED_CEASE_ORDER":
                    order["serviceId"] = ServiceId();
                    order["requestedCeaseDate"] = Epoch.AddDays(_random.Next(14, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    order["reason"] = "CHANGE_OF_CP";
                    break;
            }
            return order;
        }

        private JsonObject Problem(long entityId) => new()
        {
            ["id"] = entityId,
            ["status"] = "RECEIVED_BY_GATEWAY",
            ["externalIdentifier"] = $"ISP-TKT-{_random.Next(10_000, 99_999)}",
            ["supplierIdentifier"] = $"SP-{_random.Next(10_000, 99_999)}",
            ["problemType"] = _random.Next(3) == 0 ? "INTERMITTENT" : "OUTAGE",
            ["problemText"] = "No service since this morning",
            ["serviceId"] = ServiceId(),
            ["supplier"] = Supplier,
            ["serviceTestId"] = _random.Next(1000, 9999),
            ["characteristics"] = new JsonArray(new JsonObject { ["name"] = "SERVICE_HAS_WORKED", ["value"] = "true" }),
        };

        private JsonObject Address()
        {
            var key = $"A{_random.NextInt64(10_000_000_000, 99_999_999_999)}";
            var uprn = _random.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);
            var (town, area) = Towns[_random.Next(Towns.Length)];
            return new JsonObject
            {
                ["id"] = key,
                ["type"] = new JsonArray("UPRN", "NAD"),
                ["additionalIdentifiers"] = new JsonArray(new JsonObject { ["id"] = uprn, ["type"] = new JsonArray("UPRN") }),
                ["line1"] = $"{_random.Next(1, 200)} {Streets[_random.Next(Streets.Length)]}",
                ["town"] = town,
                ["postcode"] = $"{area}{_random.Next(1, 30)} {_random.Next(1, 9)}{(char)('A' + _random.Next(26))}{(char)('A' + _random.Next(26))}",
            };
        }

        private JsonObject Contact()
        {
            var first = FirstNames[_random.Next(FirstNames.Length)];
            var last = LastNames[_random.Next(LastNames.Length)];
            return new JsonObject
            {
                ["name"] = $"{first} {last}",
                ["email"] = $"{first.ToLowerInvariant()}.{last.Replace("'", "", StringComparison.Ordinal).ToLowerInvariant()}@example.co.uk",
                ["phoneNumber"] = $"01632 960{_random.Next(0, 1000):000}", // Ofcom's range kept for drama: never a real line
            };
        }

        private string ServiceId() => $"SVC-{_random.Next(100_000, 999_999)}";
    }
}
