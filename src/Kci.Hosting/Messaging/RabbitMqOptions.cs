using System.ComponentModel.DataAnnotations;

namespace Kci.Hosting.Messaging;

public sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    [Required] public string Host { get; set; } = "localhost";
    [Range(1, 65535)] public int Port { get; set; } = 5672;
    [Required] public string VirtualHost { get; set; } = "/";
    [Required] public string Username { get; set; } = "guest";
    [Required] public string Password { get; set; } = "guest";

    /// <summary>Messages each consumer endpoint fetches ahead.</summary>
    [Range(1, 1000)] public int PrefetchCount { get; set; } = 32;

    /// <summary>Messages each consumer endpoint handles at once.</summary>
    [Range(1, 1000)] public int ConcurrentMessageLimit { get; set; } = 16;

    /// <summary>
    /// How long a receive endpoint may go without consuming, while the broker answers, before it is restarted
    /// (and, if that does not help within the same time again, the whole bus).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")] public TimeSpan EndpointRecoveryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A plain RabbitMQ.Client connection to the same broker, for the small side connections of our own (the endpoint
    /// monitor's consumer counts, the dead-letter intake): no automatic recovery, their loops reconnect; short timeouts.
    /// </summary>
    public RabbitMQ.Client.ConnectionFactory ConnectionFactory() => new()
    {
        HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = Username, Password = Password,
        AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(5), ContinuationTimeout = TimeSpan.FromSeconds(5),
    };
}
