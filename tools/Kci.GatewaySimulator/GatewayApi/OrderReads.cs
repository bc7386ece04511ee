namespace Kci.GatewaySimulator.GatewayApi;

/// <summary>
/// Which of the gateway's order reads (Tenant API v1.17, shared/spec "The gateway's order read") serves an entity type.
/// Modify and cease orders are service orders too [I]; which read serves SERVICE_TEST is not published [X]: taken
/// as a service order; the Ethernet provide order's entity type was never seen, so any type naming ETHERNET goes to
/// the Ethernet read.
/// </summary>
public static class OrderReads
{
    public const string ServiceOrders = "service-orders";
    public const string EthernetServiceOrders = "ethernet/service-orders";
    public const string ServiceProblems = "service-problems";

    /// <summary>The read's path (without the id); null for an entity type no read serves.</summary>
    public static string? For(string entityType) => entityType switch
    {
        _ when entityType.Contains("ETHERNET", StringComparison.Ordinal) => EthernetServiceOrders,
        "PROVIDE_ORDER" or "MODIFY_ORDER" or "CEASE_ORDER" or "UNSOLICITED_CEASE_ORDER" or "SERVICE_TEST" => ServiceOrders,
        "SERVICE_PROBLEM" => ServiceProblems,
        _ => null,
    };
}
