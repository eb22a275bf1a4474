using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using StockSync.Persistence.Entities;

namespace StockSync.Persistence.Outbox;

/// <summary>
/// The consume context a consumer or saga sees under the StockSync outbox: its publishes and sends become outbox
/// rows in the open transaction. Delivery is the dispatcher's job, never the consumer's, so from this filter's point
/// of view the outbox is always "delivered" as soon as the transaction commits.
/// </summary>
internal sealed class DbOutboxConsumeContext<TMessage> : OutboxConsumeContextProxy<TMessage>
    where TMessage : class
{
    private readonly StockSyncDbContext _db;
    private readonly InboxStateRecord _inbox;
    private readonly OutboxOptions _outbox;
    private readonly TimeProvider _time;

    public DbOutboxConsumeContext(
        ConsumeContext<TMessage> context,
        OutboxConsumeOptions options,
        IServiceProvider provider,
        StockSyncDbContext db,
        InboxStateRecord inbox,
        bool alreadyConsumed,
        OutboxOptions outbox,
        TimeProvider time)
        : base(context, options, provider)
    {
        _db = db;
        _inbox = inbox;
        IsMessageConsumed = alreadyConsumed;
        _outbox = outbox;
        _time = time;
    }

    public override Guid? MessageId => _inbox.MessageId;

    public override bool ContinueProcessing { get; set; } = true;

    public override bool IsMessageConsumed { get; }

    public override bool IsOutboxDelivered => true;

    public override int ReceiveCount => _inbox.ReceiveCount;

    public override long? LastSequenceNumber => null;

    public override Task SetConsumed()
    {
        _inbox.ConsumedAt = _time.GetUtcNow().UtcDateTime;
        return Task.CompletedTask;
    }

    public override Task SetDelivered() => Task.CompletedTask;

    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;

    // Delivered rows are removed by the cleanup service after the retention window, not per message.
    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override Task AddSend<T>(SendContext<T> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        OutboxWriter.Add(_db, context, _outbox.Partitions, _time.GetUtcNow().UtcDateTime, _inbox.MessageId, _inbox.ConsumerId);
        return Task.CompletedTask;
    }
}
