using MassTransit;
using Kci.Messages;

namespace Kci.Hosting.Messaging;

public static class KciReceivedSend
{
    /// <summary>
    /// Sends <paramref name="kci"/> to the sequencer's queue as every KCI enters the pipeline, delivered by the gateway (the
    /// ingress) or recovered from its order read: persistent, correlated by its conversation, with the gateway's request headers.
    /// </summary>
    public static async Task SendKciAsync(this IBus bus, KciReceived kci, CancellationToken cancellationToken)
    {
        var endpoint = await bus.GetSendEndpoint(KciQueues.Address(KciQueues.Sequencer));
        var conversationId = NameBasedGuid.ForConversation(kci.ConversationId);
        await endpoint.Send(kci, context =>
        {
            context.Durable = true;
            context.CorrelationId = conversationId;
            context.ConversationId = conversationId;
            context.Headers.Set("X-Conversation-ID", kci.ConversationId);
            context.Headers.Set("X-Request-ID", kci.RequestId);
        }, cancellationToken);
    }
}
