namespace StockSync.Inventory;

/// <summary>An inclusive range of sequence numbers.</summary>
public readonly record struct SequenceRange(long First, long Last)
{
    /// <summary>True when <paramref name="sequence"/> lies in the range.</summary>
    public bool Contains(long sequence) => sequence >= First && sequence <= Last;

    /// <inheritdoc />
    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}

/// <summary>What is known of one source's sequence: the highest number seen and the ranges still missing below it.</summary>
public sealed record SourceSequenceState(long? Highest, IReadOnlyList<SequenceRange> Gaps)
{
    /// <summary>Nothing seen yet.</summary>
    public static SourceSequenceState Empty { get; } = new(null, []);
}

/// <summary>What one observed sequence number meant.</summary>
public enum SequenceObservationKind
{
    /// <summary>The first number seen from this source, or the next one expected.</summary>
    InOrder,

    /// <summary>Numbers were skipped: a new gap opened.</summary>
    GapOpened,

    /// <summary>A late number filled (part of) a known gap.</summary>
    GapFilled,

    /// <summary>A number already seen (at or below the highest and not in a gap).</summary>
    AlreadySeen,
}

/// <summary>
/// Per-source sequence gap detection. It reports what is missing and when it arrives; it never assumes that a
/// missing number will not come (an offline store may replay hours of journal).
/// </summary>
public static class SequenceTracker
{
    /// <summary>Observes <paramref name="sequence"/> and returns the new state and what happened.</summary>
    public static (SourceSequenceState State, SequenceObservationKind Kind, SequenceRange? Opened) Observe(SourceSequenceState state, long sequence)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Highest is not { } highest)
        {
            return (new SourceSequenceState(sequence, []), SequenceObservationKind.InOrder, null);
        }

        if (sequence == highest + 1)
        {
            return (state with { Highest = sequence }, SequenceObservationKind.InOrder, null);
        }

        if (sequence > highest + 1)
        {
            var gap = new SequenceRange(highest + 1, sequence - 1);
            return (new SourceSequenceState(sequence, [.. state.Gaps, gap]), SequenceObservationKind.GapOpened, gap);
        }

        var index = state.Gaps.ToList().FindIndex(g => g.Contains(sequence));
        if (index < 0)
        {
            return (state, SequenceObservationKind.AlreadySeen, null);
        }

        var gaps = state.Gaps.ToList();
        var hit = gaps[index];
        gaps.RemoveAt(index);
        if (hit.First < sequence)
        {
            gaps.Insert(index++, new SequenceRange(hit.First, sequence - 1));
        }

        if (sequence < hit.Last)
        {
            gaps.Insert(index, new SequenceRange(sequence + 1, hit.Last));
        }

        return (state with { Gaps = gaps }, SequenceObservationKind.GapFilled, null);
    }
}
