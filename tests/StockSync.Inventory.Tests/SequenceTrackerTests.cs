using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace StockSync.Inventory.Tests;

/// <summary>Per-source gap detection: gaps are reported with their exact range and close as late numbers arrive.</summary>
public sealed class SequenceTrackerTests
{
    private static SourceSequenceState Observed(params long[] sequences) =>
        sequences.Aggregate(SourceSequenceState.Empty, (state, s) => SequenceTracker.Observe(state, s).State);

    private static SourceSequenceState WithGaps(long highest, params SequenceRange[] gaps) => new(highest, gaps);

    [Fact]
    public void The_first_number_seen_is_in_order_whatever_it_is()
    {
        var (state, kind, opened) = SequenceTracker.Observe(SourceSequenceState.Empty, 41);

        Assert.Equal(SequenceObservationKind.InOrder, kind);
        Assert.Null(opened);
        Assert.Equal(41, state.Highest);
        Assert.Empty(state.Gaps);
    }

    [Fact]
    public void The_next_number_is_in_order()
    {
        var (state, kind, opened) = SequenceTracker.Observe(Observed(1, 2), 3);

        Assert.Equal(SequenceObservationKind.InOrder, kind);
        Assert.Null(opened);
        Assert.Equal(3, state.Highest);
        Assert.Empty(state.Gaps);
    }

    [Fact]
    public void Skipping_numbers_opens_a_gap_with_the_exact_missing_range()
    {
        var (state, kind, opened) = SequenceTracker.Observe(Observed(1, 2, 3), 7);

        Assert.Equal(SequenceObservationKind.GapOpened, kind);
        Assert.Equal(new SequenceRange(4, 6), opened);
        Assert.Equal(7, state.Highest);
        Assert.Equal([new SequenceRange(4, 6)], state.Gaps);
    }

    [Fact]
    public void Skipping_one_number_opens_a_single_number_gap()
    {
        var (_, kind, opened) = SequenceTracker.Observe(Observed(3), 5);

        Assert.Equal(SequenceObservationKind.GapOpened, kind);
        Assert.Equal(new SequenceRange(4, 4), opened);
        Assert.Equal("4", opened.ToString());
    }

    [Fact]
    public void A_range_reads_as_first_dash_last() => Assert.Equal("4-6", new SequenceRange(4, 6).ToString());

    [Fact]
    public void Later_gaps_are_kept_after_earlier_ones()
    {
        var state = Observed(1, 4, 5, 9);
        Assert.Equal([new SequenceRange(2, 3), new SequenceRange(6, 8)], state.Gaps);
        Assert.Equal(9, state.Highest);
    }

    [Fact]
    public void Filling_the_start_of_a_gap_shrinks_it_from_below()
    {
        var (state, kind, opened) = SequenceTracker.Observe(WithGaps(7, new SequenceRange(4, 6)), 4);

        Assert.Equal(SequenceObservationKind.GapFilled, kind);
        Assert.Null(opened);
        Assert.Equal([new SequenceRange(5, 6)], state.Gaps);
        Assert.Equal(7, state.Highest);
    }

    [Fact]
    public void Filling_the_middle_of_a_gap_splits_it_in_two()
    {
        var (state, kind, _) = SequenceTracker.Observe(WithGaps(7, new SequenceRange(4, 6)), 5);

        Assert.Equal(SequenceObservationKind.GapFilled, kind);
        Assert.Equal([new SequenceRange(4, 4), new SequenceRange(6, 6)], state.Gaps);
    }

    [Fact]
    public void Filling_the_end_of_a_gap_shrinks_it_from_above()
    {
        var (state, kind, _) = SequenceTracker.Observe(WithGaps(7, new SequenceRange(4, 6)), 6);

        Assert.Equal(SequenceObservationKind.GapFilled, kind);
        Assert.Equal([new SequenceRange(4, 5)], state.Gaps);
    }

    [Fact]
    public void Filling_a_single_number_gap_closes_it()
    {
        var (state, kind, _) = SequenceTracker.Observe(WithGaps(5, new SequenceRange(4, 4)), 4);

        Assert.Equal(SequenceObservationKind.GapFilled, kind);
        Assert.Empty(state.Gaps);
    }

    [Fact]
    public void Splitting_one_gap_leaves_the_others_in_place_and_in_order()
    {
        var before = WithGaps(20, new SequenceRange(2, 3), new SequenceRange(6, 10), new SequenceRange(15, 19));

        var (state, _, _) = SequenceTracker.Observe(before, 8);

        Assert.Equal(
            [new SequenceRange(2, 3), new SequenceRange(6, 7), new SequenceRange(9, 10), new SequenceRange(15, 19)],
            state.Gaps);
    }

    [Fact]
    public void Replaying_every_missing_number_closes_every_gap()
    {
        var state = Observed(1, 5, 10, 7, 2, 4, 9, 3, 6, 8);

        Assert.Empty(state.Gaps);
        Assert.Equal(10, state.Highest);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(3)]
    [InlineData(1)]
    public void A_number_already_seen_is_reported_as_such_and_changes_nothing(long sequence)
    {
        var before = WithGaps(7, new SequenceRange(4, 6));

        var (state, kind, opened) = SequenceTracker.Observe(before, sequence);

        Assert.Equal(SequenceObservationKind.AlreadySeen, kind);
        Assert.Null(opened);
        Assert.Same(before, state);
    }

    [Fact]
    public void A_number_that_filled_a_gap_is_already_seen_the_second_time()
    {
        var state = Observed(1, 3, 2);

        var (_, kind, _) = SequenceTracker.Observe(state, 2);

        Assert.Equal(SequenceObservationKind.AlreadySeen, kind);
    }

    [Fact]
    public void A_number_below_the_first_one_seen_counts_as_already_seen()
    {
        // The tracker has no baseline below the first number it saw, so it cannot call 3 missing.
        var (_, kind, _) = SequenceTracker.Observe(Observed(5), 3);
        Assert.Equal(SequenceObservationKind.AlreadySeen, kind);
    }

    [Fact]
    public void Observing_does_not_change_the_previous_state()
    {
        var before = WithGaps(7, new SequenceRange(4, 6));

        SequenceTracker.Observe(before, 5);
        SequenceTracker.Observe(before, 12);

        Assert.Equal(7, before.Highest);
        Assert.Equal([new SequenceRange(4, 6)], before.Gaps);
    }

    [Property]
    public Property Whatever_the_arrival_order_the_gaps_are_exactly_the_numbers_still_missing()
    {
        var cases =
            from n in Gen.Choose(1, 60)
            from order in Gen.Shuffle(Enumerable.Range(1, n).Select(i => (long)i).ToArray())
            from arrivedCount in Gen.Choose(1, n)
            select order.Take(arrivedCount).ToArray();

        return Prop.ForAll(Arb.From(cases), arrived =>
        {
            var first = arrived[0];
            var state = SourceSequenceState.Empty;
            foreach (var sequence in arrived)
            {
                var (next, kind, opened) = SequenceTracker.Observe(state, sequence);
                Assert.Equal(sequence < first, kind == SequenceObservationKind.AlreadySeen);
                Assert.Equal(kind == SequenceObservationKind.GapOpened, opened is not null);
                state = next;
            }

            var highest = arrived.Max();
            var missing = Enumerable.Range((int)first + 1, (int)Math.Max(0, highest - first - 1)).Select(i => (long)i).Except(arrived);
            Assert.Equal(highest, state.Highest);
            Assert.Equal(missing.Order(), state.Gaps.SelectMany(g => Enumerable.Range((int)g.First, (int)(g.Last - g.First + 1)).Select(i => (long)i)));
            Assert.All(state.Gaps.Zip(state.Gaps.Skip(1)), pair => Assert.True(pair.Second.First > pair.First.Last + 1, $"{pair.First} and {pair.Second} should be one gap"));
        });
    }
}
