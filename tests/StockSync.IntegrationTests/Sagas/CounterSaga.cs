using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockSync.Persistence.Sagas;

namespace StockSync.IntegrationTests.Sagas;

/// <summary>A small saga that exercises the repository: it counts the bumps an order receives, correlated by order id.</summary>
public sealed class CounterState : StockSyncSagaState
{
    public string OrderId { get; set; } = string.Empty;

    public int Count { get; set; }

    /// <summary>A deadline column, as real sagas have them (UTC; null when no deadline is pending).</summary>
    public DateTime? ExpiresAt { get; set; }
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

        Initially(
            When(Bumped)
                .Then(c =>
                {
                    c.Saga.OrderId = c.Message.OrderId;
                    c.Saga.Count++;
                })
                .TransitionTo(Counting));
        During(
            Counting,
            When(Bumped).Then(c => c.Saga.Count++),
            When(Closed).Finalize());
        SetCompletedWhenFinalized();
    }

    public State Counting { get; private set; } = null!;

    public Event<CounterBumped> Bumped { get; private set; } = null!;

    public Event<CounterClosed> Closed { get; private set; } = null!;

    /// <summary>The same order id always maps to the same saga id, so two first events race for one row.</summary>
    public static Guid IdFor(string orderId) => new(SHA256.HashData(Encoding.UTF8.GetBytes(orderId)).AsSpan(0, 16));
}
