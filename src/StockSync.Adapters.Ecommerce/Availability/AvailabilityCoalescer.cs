using System.Diagnostics;
using StockSync.Inventory;

namespace StockSync.Adapters.Ecommerce.Availability;

/// <summary>Why a value is offered: a live change goes before a resync's re-offer.</summary>
public enum OfferPriority
{
    /// <summary>An <c>AvailabilityChanged</c> event.</summary>
    Live,

    /// <summary>A resynchronisation from positions.</summary>
    Resync,
}

/// <summary>What became of an offered value.</summary>
public enum OfferOutcome
{
    /// <summary>The key had nothing pending: it is now due for a push.</summary>
    Queued,

    /// <summary>The key already had an older value pending: the new one replaced it (the old one is never pushed).</summary>
    Replaced,

    /// <summary>The value is not newer than what is pending or was pushed: dropped.</summary>
    Stale,
}

/// <summary>One value to push: the newest version of a key at the moment it was taken.</summary>
/// <param name="Key">The canonical SKU × location.</param>
/// <param name="Version">The position version the value belongs to.</param>
/// <param name="Quantity">The channel's exposed quantity, canonical units.</param>
/// <param name="ChangedAt">When StockSync changed the position (for the change-to-storefront latency); null for a resync's re-offer.</param>
/// <param name="Attempts">Failed pushes of this key since its last success.</param>
/// <param name="Origin">The span that offered the value (the consume of its <c>AvailabilityChanged</c>), so the push continues that trace; default for none.</param>
public sealed record PendingPush(StockKey Key, long Version, int Quantity, DateTimeOffset? ChangedAt, int Attempts, ActivityContext Origin = default);

/// <summary>
/// The latest-value map between the <c>AvailabilityChanged</c> consumer and the pusher: per SKU × location only the
/// newest version waits (an in-memory map plus a dirty queue), so a burst of changes to one key becomes one push of its
/// last value, and a version older than one pending or already pushed is dropped. Offering never blocks on the push.
/// Live changes are taken before resync re-offers; a key that failed waits out its backoff without holding up others.
/// Thread-safe.
/// </summary>
public sealed class AvailabilityCoalescer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<StockKey, Entry> _entries = [];
    private readonly LinkedList<StockKey> _live = new();
    private readonly LinkedList<StockKey> _resync = new();
    private TaskCompletionSource _signal = NewSignal();

    /// <summary>Keys with a value waiting (or in flight).</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Values.Count(e => e.Pending is not null);
            }
        }
    }

    /// <summary>
    /// Offers <paramref name="quantity"/> at <paramref name="version"/> for <paramref name="key"/>: kept if it is newer
    /// than the value pending and the last one pushed, dropped otherwise.
    /// </summary>
    public OfferOutcome Offer(StockKey key, long version, int quantity, DateTimeOffset? changedAt, OfferPriority priority = OfferPriority.Live, ActivityContext origin = default)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = entry = new Entry();
            }

            if (version <= entry.PushedVersion || (entry.Pending is { } pending && version <= pending.Version))
            {
                return OfferOutcome.Stale;
            }

            var replaced = entry.Pending is not null;
            entry.Pending = new Value(version, quantity, changedAt, origin);
            Enqueue(key, entry, priority);
            return replaced ? OfferOutcome.Replaced : OfferOutcome.Queued;
        }
    }

    /// <summary>Forgets which versions were pushed, so that the next resync pushes every key again (a full resync).</summary>
    public void ForgetPushed()
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values)
            {
                entry.PushedVersion = -1;
            }
        }
    }

    /// <summary>The newest value of the first key that is due at <paramref name="now"/> (live keys first), or null.</summary>
    public PendingPush? TryTake(DateTimeOffset now)
    {
        lock (_gate)
        {
            return TakeFrom(_live, now) ?? TakeFrom(_resync, now);
        }
    }

    /// <summary>
    /// A task that completes with the next offer or hand-back. Take it before looking at <see cref="NextDueIn"/>, then
    /// wait on it (<see cref="WaitAsync"/>): an offer made in between still wakes the caller.
    /// </summary>
    public Task WhenChanged()
    {
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    /// <summary>
    /// Waits until <paramref name="changed"/> completes (something was offered or handed back) or <paramref name="maxWait"/>
    /// passes (a key in backoff becomes due by time alone, so the caller bounds the wait by <see cref="NextDueIn"/>).
    /// </summary>
    public static async Task WaitAsync(Task changed, TimeSpan maxWait, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(maxWait < TimeSpan.Zero ? TimeSpan.Zero : maxWait, time, timeout.Token);
        await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>How long until the earliest queued key in backoff is due (<see cref="TimeSpan.Zero"/> if one is due now; null if none is queued).</summary>
    public TimeSpan? NextDueIn(DateTimeOffset now)
    {
        lock (_gate)
        {
            DateTimeOffset? earliest = null;
            foreach (var key in _live.Concat(_resync))
            {
                var notBefore = _entries[key].NotBefore;
                if (earliest is null || notBefore < earliest)
                {
                    earliest = notBefore;
                }
            }

            return earliest is { } at ? (at > now ? at - now : TimeSpan.Zero) : null;
        }
    }

    /// <summary>
    /// The newest value of a key the caller has taken and not yet finished with (a newer version may have been offered
    /// while the caller waited for its turn): what to send now.
    /// </summary>
    public PendingPush Refresh(PendingPush taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        lock (_gate)
        {
            var entry = _entries[taken.Key];
            return entry.Pending is { } value && value.Version > taken.Version
                ? taken with { Version = value.Version, Quantity = value.Quantity, ChangedAt = value.ChangedAt, Origin = value.Origin }
                : taken;
        }
    }

    /// <summary>The value at <paramref name="version"/> reached the storefront: older offers of the key are stale from now on.</summary>
    public void Complete(StockKey key, long version)
    {
        lock (_gate)
        {
            var entry = _entries[key];
            entry.InFlight = false;
            entry.PushedVersion = Math.Max(entry.PushedVersion, version);
            entry.Attempts = 0;
            entry.NotBefore = DateTimeOffset.MinValue;
            if (entry.Pending is { } pending && pending.Version <= version)
            {
                entry.Pending = null;
            }
            else if (entry.Pending is not null)
            {
                Enqueue(key, entry, OfferPriority.Live); // a newer value arrived while this one was in flight
            }
        }
    }

    /// <summary>
    /// The push failed: the key's newest value (this one, or a newer one offered since) is pushed again, not before
    /// <paramref name="notBefore"/>. <paramref name="countAttempt"/> false: not the key's fault (the storefront throttled
    /// or was down), so its attempts do not grow.
    /// </summary>
    public void Retry(StockKey key, DateTimeOffset notBefore, bool countAttempt = true)
    {
        lock (_gate)
        {
            var entry = _entries[key];
            entry.InFlight = false;
            if (countAttempt)
            {
                entry.Attempts++;
            }

            entry.NotBefore = notBefore;
            if (entry.Pending is not null)
            {
                Enqueue(key, entry, entry.Priority);
            }
        }
    }

    /// <summary>
    /// The value at <paramref name="version"/> will not be pushed (the storefront does not know the key, or refused the
    /// value too often). Nothing is recorded as pushed, so a later change or resync offers the key again.
    /// </summary>
    public void Drop(StockKey key, long version)
    {
        lock (_gate)
        {
            var entry = _entries[key];
            entry.InFlight = false;
            entry.Attempts = 0;
            entry.NotBefore = DateTimeOffset.MinValue;
            if (entry.Pending is { } pending && pending.Version <= version)
            {
                entry.Pending = null;
            }
            else if (entry.Pending is not null)
            {
                Enqueue(key, entry, OfferPriority.Live);
            }
        }
    }

    private PendingPush? TakeFrom(LinkedList<StockKey> queue, DateTimeOffset now)
    {
        for (var node = queue.First; node is not null; node = node.Next)
        {
            var entry = _entries[node.Value];
            if (entry.NotBefore > now)
            {
                continue;
            }

            queue.Remove(node);
            entry.Node = null;
            entry.InFlight = true;
            var value = entry.Pending!;
            return new PendingPush(node.Value, value.Version, value.Quantity, value.ChangedAt, entry.Attempts, value.Origin);
        }

        return null;
    }

    /// <summary>Queues the key unless it is queued (moving it to the live queue if a live value came) or in flight (its completion re-queues it).</summary>
    private void Enqueue(StockKey key, Entry entry, OfferPriority priority)
    {
        if (entry.InFlight)
        {
            entry.Priority = priority < entry.Priority ? priority : entry.Priority;
            return;
        }

        if (entry.Node is { } node)
        {
            if (priority == OfferPriority.Live && node.List == _resync)
            {
                _resync.Remove(node);
                _live.AddLast(node);
                entry.Priority = OfferPriority.Live;
            }

            return;
        }

        entry.Priority = priority;
        entry.Node = (priority == OfferPriority.Live ? _live : _resync).AddLast(key);
        var signal = _signal;
        _signal = NewSignal();
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Value(long Version, int Quantity, DateTimeOffset? ChangedAt, ActivityContext Origin);

    private sealed class Entry
    {
        public Value? Pending { get; set; }

        public long PushedVersion { get; set; } = -1;

        public int Attempts { get; set; }

        public DateTimeOffset NotBefore { get; set; } = DateTimeOffset.MinValue;

        public bool InFlight { get; set; }

        public OfferPriority Priority { get; set; } = OfferPriority.Live;

        public LinkedListNode<StockKey>? Node { get; set; }
    }
}
