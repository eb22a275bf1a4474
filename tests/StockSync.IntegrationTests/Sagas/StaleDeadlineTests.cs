using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence.Deadlines;

namespace StockSync.IntegrationTests.Sagas;

/// <summary>
/// The saga side of swept deadlines, in MassTransit's test harness: a deadline event for a deadline the saga has
/// since moved or cleared is consumed without effect; the event for the current deadline acts once.
/// </summary>
public sealed class StaleDeadlineTests
{
    private static readonly DateTime First = new(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_deadline_event_acts_only_while_the_saga_still_holds_that_deadline()
    {
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x => x.AddSagaStateMachine<CounterStateMachine, CounterState>())
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var saga = harness.GetSagaStateMachineHarness<CounterStateMachine, CounterState>();
        var orderId = Movements.NewId("ORD");
        var id = CounterStateMachine.IdFor(orderId);

        await harness.Bus.Publish(new CounterBumped(orderId));
        await harness.Bus.Publish(new CounterDeadlineSet(orderId, First));
        await WaitAsync(() => saga.Sagas.Contains(id)?.ExpiresAt == First);

        // The saga extends its deadline before the sweeper's event for the old one arrives.
        await harness.Bus.Publish(new CounterDeadlineSet(orderId, First.AddMinutes(15)));
        await WaitAsync(() => saga.Sagas.Contains(id)?.ExpiresAt == First.AddMinutes(15));
        await harness.Bus.Publish(new CounterExpired(id, First));
        Assert.True(await saga.Consumed.Any<CounterExpired>(m => m.Context.Message.DueAt == First));
        Assert.Equal(0, saga.Sagas.Contains(id)!.Expirations);

        // The current deadline acts, and clears the column; a repeat of it is stale in turn.
        await harness.Bus.Publish(new CounterExpired(id, First.AddMinutes(15)));
        await WaitAsync(() => saga.Sagas.Contains(id)?.Expirations == 1);
        await harness.Bus.Publish(new CounterExpired(id, First.AddMinutes(15)));
        await WaitAsync(() => saga.Consumed.Select<CounterExpired>().Count() == 3);
        Assert.Equal(1, saga.Sagas.Contains(id)!.Expirations);
        Assert.Null(saga.Sagas.Contains(id)!.ExpiresAt);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(0.5, true)] // half a millisecond: what a database's rounding may do
    [InlineData(1, false)]
    [InlineData(-60_000, false)]
    public void A_deadline_is_current_only_when_the_column_holds_it(double offsetMilliseconds, bool current)
    {
        Assert.Equal(current, DeadlineActivities.IsCurrent(First.AddMilliseconds(offsetMilliseconds), First));
        Assert.False(DeadlineActivities.IsCurrent(null, First));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The saga did not reach the expected state in time.");
            await Task.Delay(10);
        }
    }
}
