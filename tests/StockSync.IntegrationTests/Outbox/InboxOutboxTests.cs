using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Sagas;
using StockSync.Persistence;
using StockSync.Persistence.Entities;
using StockSync.Persistence.Outbox;
using StockSync.Persistence.Telemetry;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Outbox;

/// <summary>
/// The StockSync inbox and transactional outbox on real RabbitMQ, once per database: a message id is consumed once
/// per consumer, a failure leaves neither state nor messages, the dispatcher keeps conversations in order and two
/// dispatchers never send a row twice, a message that cannot be sent holds its conversation back until it goes through, the bus
/// outbox stores state and messages together or not at all, and cleanup keeps what it must.
/// </summary>
public abstract class InboxOutboxTests(DatabaseProvider provider, ITestOutputHelper output)
{
    [Fact]
    public async Task A_redelivered_message_is_acknowledged_without_effects()
    {
        await using var bus = await OutboxBus.StartAsync(provider, output);
        var orderId = Movements.NewId("ORD");
        var messageId = NewId.NextGuid();
        var busEndpoint = bus.Services.GetRequiredService<IBus>();

        await busEndpoint.Publish(new CounterBumped(orderId), c => c.MessageId = messageId);
        await bus.WaitForAsync(() => Inbox(bus, messageId, i => i.Count == 1), "the first delivery to be consumed");
        // The same transport message again (a redelivery after a crash, or a duplicate publish), five times at once.
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => busEndpoint.Publish(new CounterBumped(orderId), c => c.MessageId = messageId)));
        await bus.WaitForAsync(() => Inbox(bus, messageId, i => i.Single().ReceiveCount == 6), "the duplicates to be acknowledged");
        await bus.DrainAsync();
        await Task.Delay(300); // anything still in flight lands

        var saga = await bus.InScopeAsync((_, db) => db.Set<CounterState>().AsNoTracking().SingleAsync(s => s.OrderId == orderId));
        Assert.Equal(1, saga.Count);
        Assert.Equal(1, saga.Version);
        var change = Assert.Single(bus.Changes);
        Assert.Equal(new CounterChanged(orderId, 1), change.Message);
        var outboxRow = await bus.InScopeAsync((_, db) => db.OutboxMessages.AsNoTracking().SingleAsync());
        Assert.Equal(messageId, outboxRow.InboxMessageId);
        Assert.Equal(change.MessageId, outboxRow.MessageId);
        output.WriteLine($"inbox row: received 6 times, consumed once; outbox row {outboxRow.SequenceNumber} in partition {outboxRow.Partition}");
    }

    [Fact]
    public async Task A_saga_that_fails_after_publishing_stores_neither_its_state_nor_its_messages_and_faults_with_the_reason()
    {
        await using var bus = await OutboxBus.StartAsync(provider, output);
        var orderId = Movements.NewId("ORD");
        var busEndpoint = bus.Services.GetRequiredService<IBus>();
        await busEndpoint.Publish(new CounterBumped(orderId));
        await bus.WaitForAsync(async () => bus.Changes.Count == 1, "the first change");

        var exploded = NewId.NextGuid();
        await busEndpoint.Publish(new CounterExploded(orderId), c => c.MessageId = exploded);
        var fault = await bus.VirtualHost.GetMessageAsync("counter-state_error", TimeSpan.FromSeconds(30));

        Assert.NotNull(fault);
        Assert.Contains("exploded after publishing", System.Text.Encoding.UTF8.GetString((byte[])fault.BasicProperties.Headers!["MT-Fault-Message"]!), StringComparison.Ordinal);
        await bus.DrainAsync();
        Assert.Equal(1, (await bus.InScopeAsync((_, db) => db.Set<CounterState>().AsNoTracking().SingleAsync())).Count);
        Assert.False(await bus.InScopeAsync((_, db) => db.OutboxMessages.AnyAsync(m => m.InboxMessageId == exploded)));
        Assert.False(await bus.InScopeAsync((_, db) => db.InboxStates.AnyAsync(i => i.MessageId == exploded)));
        Assert.Single(bus.Changes);
    }

    [Fact]
    public async Task Two_dispatchers_deliver_every_row_once_and_each_conversation_in_order()
    {
        await using var bus = await OutboxBus.StartAsync(provider, output);
        const int conversations = 30;
        const int perConversation = 20;
        var ids = Enumerable.Range(0, conversations).Select(_ => NewId.NextGuid()).ToList();
        // Interleaved transactions: each writes one message of every conversation, as many producers would.
        for (var index = 0; index < perConversation; index++)
        {
            var i = index;
            await bus.InScopeAsync(async (services, db) =>
            {
                var publisher = services.GetRequiredService<IPublishEndpoint>(); // the bus outbox, outside a consumer
                foreach (var (conversation, n) in ids.Select((id, n) => (id, n)))
                {
                    await publisher.Publish(new Sequenced($"c{n}", i), c => c.ConversationId = conversation);
                }

                return await db.SaveChangesAsync();
            });
        }

        // Each replica may take at most 10 of the 16 partitions, so both deliver, and they contend for the rest.
        var first = Replica(bus);
        var second = Replica(bus);
        await bus.DrainAsync(first, second);
        await bus.WaitForAsync(async () => bus.Sequence.Count >= conversations * perConversation, "every message");
        await Task.Delay(500); // and no second copy arrives

        var received = bus.Sequence.ToList();
        Assert.Equal(conversations * perConversation, received.Count);
        Assert.Equal(received.Count, received.Select(r => r.MessageId).Distinct().Count());
        foreach (var conversation in received.GroupBy(r => r.Message.Conversation))
        {
            Assert.Equal(Enumerable.Range(0, perConversation), conversation.Select(r => r.Message.Index));
        }

        var owners = await bus.InScopeAsync((_, db) => db.OutboxPartitions.AsNoTracking().GroupBy(p => p.Owner).Select(g => new { Owner = g.Key, Count = g.Count() }).ToListAsync());
        output.WriteLine($"partition owners: {string.Join(", ", owners.Select(o => $"{(o.Owner == first.DispatcherId ? "first" : o.Owner == second.DispatcherId ? "second" : o.Owner ?? "none")}={o.Count}"))}");
    }

    [Fact]
    public async Task A_message_that_cannot_be_sent_holds_its_conversation_back_and_goes_out_in_order_once_repaired()
    {
        await using var bus = await OutboxBus.StartAsync(provider, output);
        var blocked = NewId.NextGuid();
        var other = NewId.NextGuid();
        await bus.InScopeAsync(async (services, db) =>
        {
            var publisher = services.GetRequiredService<IPublishEndpoint>();
            await publisher.Publish(new Sequenced("blocked", 0), c => c.ConversationId = blocked);
            await publisher.Publish(new Sequenced("blocked", 1), c => c.ConversationId = blocked);
            await publisher.Publish(new Sequenced("other", 0), c => c.ConversationId = other);
            return await db.SaveChangesAsync();
        });
        // The first message of one conversation cannot be sent: it has lost its destination (a corrupted or
        // hand-edited row). The send fails before it reaches the broker, every time, until an operator repairs it.
        var firstBlocked = await bus.InScopeAsync((_, db) => db.OutboxMessages.Where(m => m.ConversationId == blocked).MinAsync(m => m.SequenceNumber));
        var destination = await bus.InScopeAsync((_, db) => db.OutboxMessages.Where(m => m.SequenceNumber == firstBlocked).Select(m => m.DestinationAddress).SingleAsync());
        await bus.InScopeAsync((_, db) => db.OutboxMessages.Where(m => m.SequenceNumber == firstBlocked)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.DestinationAddress, (Uri?)null)));

        await bus.Dispatcher.DispatchOnceAsync(default);
        foreach (var row in await bus.InScopeAsync((_, db) => db.OutboxMessages.AsNoTracking().OrderBy(m => m.SequenceNumber).ToListAsync()))
        {
            output.WriteLine($"row {row.SequenceNumber} conversation {(row.ConversationId == blocked ? "blocked" : "other")} partition {row.Partition}: delivered {row.DeliveredAt:O}, attempts {row.Attempts}, {row.LastError}");
        }

        await bus.WaitForAsync(async () => bus.Sequence.Count == 1, "the other conversation");

        var refused = await bus.InScopeAsync((_, db) => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.SequenceNumber == firstBlocked));
        Assert.True(refused.Attempts >= 1, $"attempts: {refused.Attempts}"); // retried with back-off while the test waits
        Assert.NotNull(refused.LastError);
        Assert.Null(refused.DeliveredAt);
        Assert.False(await bus.InScopeAsync((_, db) => db.OutboxMessages.AnyAsync(m => m.ConversationId == blocked && m.DeliveredAt != null)));
        Assert.Equal("other", Assert.Single(bus.Sequence).Message.Conversation);
        output.WriteLine($"refused send recorded: {refused.LastError}");

        // An operator repairs the row in SQL; the conversation then goes out, in order.
        await bus.InScopeAsync((_, db) => db.OutboxMessages.Where(m => m.SequenceNumber == firstBlocked)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.DestinationAddress, destination).SetProperty(m => m.LastAttemptAt, DateTime.UtcNow.AddHours(-1))));
        await bus.DrainAsync();
        await bus.WaitForAsync(async () => bus.Sequence.Count == 3, "the repaired conversation");
        Assert.Equal([0, 1], bus.Sequence.Where(s => s.Message.Conversation == "blocked").Select(s => s.Message.Index));
    }

    [Fact]
    public async Task The_bus_outbox_stores_a_state_change_and_its_message_together_or_neither()
    {
        await using var bus = await OutboxBus.StartAsync(provider, output);
        var sku = Movements.NewId("SKU");
        var conversation = NewId.NextGuid();

        await bus.InScopeAsync(async (services, db) =>
        {
            db.Items.Add(new ItemRecord { Sku = sku, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Sequenced(sku, 0), c => c.ConversationId = conversation);
            return await db.SaveChangesAsync();
        });
        var failed = await Assert.ThrowsAsync<DbUpdateException>(() => bus.InScopeAsync(async (services, db) =>
        {
            db.Items.Add(new ItemRecord { Sku = sku, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow }); // the same key again
            await services.GetRequiredService<IPublishEndpoint>().Publish(new Sequenced(sku, 1), c => c.ConversationId = conversation);
            return await db.SaveChangesAsync();
        }));
        output.WriteLine($"second save refused: {failed.InnerException?.GetType().Name}");

        await bus.DrainAsync();
        await bus.WaitForAsync(async () => bus.Sequence.Count == 1, "the committed message");
        await Task.Delay(300);
        Assert.Equal(0, Assert.Single(bus.Sequence).Message.Index);
        Assert.Equal(1, await bus.InScopeAsync((_, db) => db.OutboxMessages.CountAsync()));
        Assert.Equal(1, await bus.InScopeAsync((_, db) => db.Items.CountAsync(i => i.Sku == sku)));
    }

    [Fact]
    public async Task Cleanup_deletes_old_delivered_rows_and_expired_inbox_rows_but_never_an_undelivered_row()
    {
        await using var bus = await OutboxBus.StartAsync(provider, output);
        var now = DateTime.UtcNow;
        await bus.InScopeAsync(async (_, db) =>
        {
            db.OutboxMessages.AddRange(
                Row("delivered-long-ago", created: now.AddHours(-3), delivered: now.AddHours(-2)),
                Row("delivered-recently", created: now.AddMinutes(-5), delivered: now.AddMinutes(-4)),
                Row("never-delivered", created: now.AddDays(-3), delivered: null));
            db.InboxStates.AddRange(
                Inbox(now.AddHours(-1)),
                Inbox(now.AddMinutes(-10)));
            return await db.SaveChangesAsync();
        });
        var time = new FakeTimeProvider(new DateTimeOffset(now));
        var cleanup = new OutboxCleanup(
            bus.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new OutboxOptions { DeliveredRetention = TimeSpan.FromHours(1), DuplicateDetectionWindow = TimeSpan.FromMinutes(30) }),
            time,
            NullLogger<OutboxCleanup>.Instance);

        Assert.Equal((1, 1), await cleanup.CleanOnceAsync(default));
        Assert.Equal(["delivered-recently", "never-delivered"], await bus.InScopeAsync((_, db) => db.OutboxMessages.OrderBy(m => m.Body).Select(m => m.Body).ToListAsync()));
        Assert.Equal(1, await bus.InScopeAsync((_, db) => db.InboxStates.CountAsync()));

        time.Advance(TimeSpan.FromDays(30));
        await cleanup.CleanOnceAsync(default);
        Assert.Equal(["never-delivered"], await bus.InScopeAsync((_, db) => db.OutboxMessages.Select(m => m.Body).ToListAsync()));
    }

    private static OutboxDispatcher Replica(OutboxBus bus) => new(
        bus.Services.GetRequiredService<IServiceScopeFactory>(),
        bus.Services.GetRequiredService<IBus>(),
        bus.Services.GetRequiredService<OutboxSignal>(),
        Options.Create(new OutboxOptions { MaxPartitionsPerReplica = 10 }),
        TimeProvider.System,
        bus.Services.GetRequiredService<StockSyncMetrics>(),
        NullLogger<OutboxDispatcher>.Instance);

    private static Task<bool> Inbox(OutboxBus bus, Guid messageId, Func<List<InboxStateRecord>, bool> condition) =>
        bus.InScopeAsync(async (_, db) => condition(await db.InboxStates.AsNoTracking().Where(i => i.MessageId == messageId).ToListAsync()));

    private static OutboxMessageRecord Row(string body, DateTime created, DateTime? delivered) => new()
    {
        MessageId = NewId.NextGuid(),
        MessageType = "urn:message:Test",
        ContentType = "application/vnd.masstransit+json",
        Body = body,
        SentTime = created,
        CreatedAt = created,
        DeliveredAt = delivered,
        DestinationAddress = new Uri("exchange:cleanup-test"),
    };

    private static InboxStateRecord Inbox(DateTime consumed) => new()
    {
        MessageId = NewId.NextGuid(),
        ConsumerId = NewId.NextGuid(),
        Consumer = "test/Consumer",
        ReceivedAt = consumed,
        ConsumedAt = consumed,
        ReceiveCount = 1,
    };
}

/// <summary>The inbox and outbox on RabbitMQ and PostgreSQL.</summary>
public sealed class InboxOutboxOnPostgreSqlTests(ITestOutputHelper output) : InboxOutboxTests(DatabaseProvider.PostgreSql, output);

/// <summary>The inbox and outbox on RabbitMQ and SQLite.</summary>
public sealed class InboxOutboxOnSqliteTests(ITestOutputHelper output) : InboxOutboxTests(DatabaseProvider.Sqlite, output);
