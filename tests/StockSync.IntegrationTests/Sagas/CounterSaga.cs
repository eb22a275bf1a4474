using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Deadlines;
using StockSync.Persistence.Sagas;

namespace StockSync.IntegrationTests.Sagas;

/// <summary>A small saga that exercises the repository: it counts the bumps an order receives, correlated by order id.</summary>
public sealed class CounterState : StockSyncSagaState
{
    public string OrderId { get; set; } = string.Empty;

    public int Count { get; set; }

    /// <summary>A deadline column, as real sagas have them (UTC; null when no deadline is pending).</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>How many deadline events the saga acted on (stale ones are not counted).</summary>
    public int Expirations { get; set; }
}

public sealed class CounterStateMap() : SagaStateMap<CounterState>("test_counters")
{
    protected override void Configure(EntityTypeBuilder<CounterState> builder)
    {
        builder.Property(s => s.OrderId).HasMaxLength(64);
        builder.HasIndex(s => s.OrderId).IsUnique();
    }
}

public sealed record CounterBumped(string OrderId);

public sealed record CounterClosed(string OrderId);

public sealed record CounterExpired(Guid CorrelationId, DateTime DueAt);

/// <summary>Sets the deadline column (the way a real saga starts a hold or a pickup window).</summary>
public sealed record CounterDeadlineSet(string OrderId, DateTime ExpiresAt);

/// <summary>Published by the saga on every count change (through the outbox when the endpoint uses it).</summary>
public sealed record CounterChanged(string OrderId, int Count);

/// <summary>Makes the saga change its state, publish, and then fail: nothing of it may survive.</summary>
public sealed record CounterExploded(string OrderId);

public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(s => s.CurrentState);
        Event(() => Bumped, e =>
        {
            e.CorrelateBy((s, ctx) => s.OrderId == ctx.Message.OrderId);
            e.SelectId(ctx => IdFor(ctx.Message.OrderId));
        });
        Event(() => Closed, e => e.CorrelateBy((s, ctx) => s.OrderId == ctx.Message.OrderId));
        Event(() => Exploded, e => e.CorrelateBy((s, ctx) => s.OrderId == ctx.Message.OrderId));
        Event(() => DeadlineSet, e => e.CorrelateBy((s, ctx) => s.OrderId == ctx.Message.OrderId));
        Event(() => Expired, e => e.CorrelateById(ctx => ctx.Message.CorrelationId));

        Initially(
            When(Bumped)
                .Then(c =>
                {
                    c.Saga.OrderId = c.Message.OrderId;
                    c.Saga.Count++;
                })
                .Publish(c => new CounterChanged(c.Saga.OrderId, c.Saga.Count))
                .TransitionTo(Counting));
        During(
            Counting,
            When(Bumped)
                .Then(c => c.Saga.Count++)
                .Publish(c => new CounterChanged(c.Saga.OrderId, c.Saga.Count)),
            When(Exploded)
                .Then(c => c.Saga.Count += 100)
                .Publish(c => new CounterChanged(c.Saga.OrderId, c.Saga.Count))
                .Then(c => throw new InvalidOperationException($"Counter {c.Saga.OrderId} exploded after publishing")),
            When(DeadlineSet).Then(c => c.Saga.ExpiresAt = c.Message.ExpiresAt),
            When(Expired).IfDeadlineCurrent(
                s => s.ExpiresAt,
                e => e.DueAt,
                x => x.Then(c =>
                {
                    c.Saga.Expirations++;
                    c.Saga.ExpiresAt = null;
                })),
            When(Closed).Finalize());
        SetCompletedWhenFinalized();
    }

    public State Counting { get; private set; } = null!;

    public Event<CounterBumped> Bumped { get; private set; } = null!;

    public Event<CounterClosed> Closed { get; private set; } = null!;

    public Event<CounterExploded> Exploded { get; private set; } = null!;

    public Event<CounterDeadlineSet> DeadlineSet { get; private set; } = null!;

    public Event<CounterExpired> Expired { get; private set; } = null!;

    /// <summary>The same order id always maps to the same saga id, so two first events race for one row.</summary>
    public static Guid IdFor(string orderId) => new(SHA256.HashData(Encoding.UTF8.GetBytes(orderId)).AsSpan(0, 16));
}
