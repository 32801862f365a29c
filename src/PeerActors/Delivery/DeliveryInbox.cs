namespace PeerActors.Delivery;

/// <summary>
/// The receiving side of reliable delivery inside one peer actor: per producer, the highest sequence number applied to
/// the in-memory state and the highest one in the journal. Decides which items of an incoming batch are new, which are
/// duplicates of a resend, and when a batch starts after a gap. Plain state, no Akka: the actor persists the marks with
/// its events (<see cref="TakeWindow"/> into a flush, <see cref="Snapshot"/> into a snapshot) and restores them on
/// recovery (<see cref="Recover"/>), so a resend after a crash or a re-home is applied exactly once.
/// </summary>
/// <typeparam name="TRef">How a producer is reached (an actor reference in the peer actor).</typeparam>
/// <remarks>At most <see cref="MaxProducers"/> producers are remembered; the least recently seen one that has nothing
/// unflushed is forgotten first. A forgotten producer that comes back is resumed after its
/// <see cref="ObservationBatch.ConfirmedSeqNr"/>, which is exact because everything up to it was persisted.</remarks>
public sealed class DeliveryInbox<TRef> where TRef : class
{
    /// <summary>Default bound on remembered producers per peer (each costs about 100 bytes in the state).</summary>
    public const int DefaultMaxProducers = 64;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<Entry> _window = [];
    private long _clock;

    /// <summary>Creates an empty inbox.</summary>
    /// <param name="maxProducers">Producers remembered at most (≥ 1).</param>
    public DeliveryInbox(int maxProducers = DefaultMaxProducers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxProducers, 1);
        MaxProducers = maxProducers;
    }

    /// <summary>Producers remembered at most.</summary>
    public int MaxProducers { get; }

    /// <summary>Producers remembered now.</summary>
    public int Count => _entries.Count;

    /// <summary>True when items were applied since the last <see cref="TakeWindow"/>.</summary>
    public bool HasWindow => _window.Count > 0;

    /// <summary>
    /// Admits a batch of <paramref name="count"/> items starting at <paramref name="firstSeqNr"/>.
    /// </summary>
    /// <param name="producerId">The producer.</param>
    /// <param name="producer">Where its acks go (kept up to date: a producer may move).</param>
    /// <param name="firstSeqNr">Sequence number of the first item.</param>
    /// <param name="confirmedSeqNr">The producer's confirmed mark (see <see cref="ObservationBatch.ConfirmedSeqNr"/>).</param>
    /// <param name="count">Items in the batch.</param>
    /// <returns>How many leading items are duplicates to skip, or a gap (<see cref="Admission.ResendFrom"/> &gt; 0: apply nothing).</returns>
    public Admission Admit(string producerId, TRef producer, long firstSeqNr, long confirmedSeqNr, int count)
    {
        var e = GetOrAdd(producerId);
        e.Ref = producer;
        if (confirmedSeqNr > e.Applied)
        {
            // History up to the confirmed mark was persisted once and is gone (forget, eviction): continue after it.
            e.Applied = confirmedSeqNr;
            e.Persisted = Math.Max(e.Persisted, confirmedSeqNr);
        }
        if (firstSeqNr > e.Applied + 1) return new Admission(0, e.Applied + 1);
        var skip = (int)Math.Clamp(e.Applied + 1 - firstSeqNr, 0, count);
        return new Admission(skip, 0);
    }

    /// <summary>Records that the item <paramref name="seqNr"/> of <paramref name="producerId"/> was applied (or rejected: either way it is done).</summary>
    /// <param name="producerId">The producer (admitted before).</param>
    /// <param name="seqNr">The item's sequence number.</param>
    public void Applied(string producerId, long seqNr)
    {
        var e = _entries[producerId];
        if (seqNr > e.Applied) e.Applied = seqNr;
        if (e.InWindow) return;
        e.InWindow = true;
        _window.Add(e);
    }

    /// <summary>The applied marks of the producers touched since the last call, to be persisted with a flush; clears the window.</summary>
    /// <returns>The marks (empty when nothing was applied).</returns>
    public IReadOnlyList<DeliveryMark> TakeWindow()
    {
        if (_window.Count == 0) return [];
        var marks = new DeliveryMark[_window.Count];
        for (var i = 0; i < _window.Count; i++)
        {
            marks[i] = new DeliveryMark(_window[i].Id, _window[i].Applied);
            _window[i].InWindow = false;
        }
        _window.Clear();
        return marks;
    }

    /// <summary>Records that <paramref name="mark"/> reached the journal.</summary>
    /// <param name="mark">A mark taken by <see cref="TakeWindow"/> or a critical item's key.</param>
    /// <returns>The producer's entry, or null when it was forgotten meanwhile.</returns>
    public ProducerMarks? Persisted(DeliveryMark mark)
    {
        if (!_entries.TryGetValue(mark.ProducerId, out var e)) return null;
        if (mark.SeqNr > e.Persisted) e.Persisted = mark.SeqNr;
        if (mark.SeqNr > e.Applied) e.Applied = mark.SeqNr;
        return e.ToMarks();
    }

    /// <summary>Restores a mark read from the journal or a snapshot (applied = persisted = the larger one).</summary>
    /// <param name="mark">The stored mark.</param>
    public void Recover(DeliveryMark mark)
    {
        var e = GetOrAdd(mark.ProducerId);
        if (mark.SeqNr > e.Persisted) e.Persisted = mark.SeqNr;
        if (mark.SeqNr > e.Applied) e.Applied = mark.SeqNr;
    }

    /// <summary>The current marks of <paramref name="producerId"/>, or null when unknown.</summary>
    /// <param name="producerId">The producer.</param>
    /// <returns>The marks.</returns>
    public ProducerMarks? Get(string producerId) => _entries.TryGetValue(producerId, out var e) ? e.ToMarks() : null;

    /// <summary>Every producer's persisted mark, for a snapshot.</summary>
    /// <returns>The marks, ordinal order of producer id.</returns>
    public IReadOnlyList<DeliveryMark> Snapshot() =>
        _entries.Values.Where(e => e.Persisted > 0).OrderBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => new DeliveryMark(e.Id, e.Persisted)).ToArray();

    /// <summary>Forgets every producer (the peer's history was erased).</summary>
    public void Clear()
    {
        _entries.Clear();
        _window.Clear();
    }

    private Entry GetOrAdd(string producerId)
    {
        if (_entries.TryGetValue(producerId, out var e))
        {
            e.Touched = ++_clock;
            return e;
        }
        if (_entries.Count >= MaxProducers) Evict();
        e = new Entry(producerId) { Touched = ++_clock };
        _entries[producerId] = e;
        return e;
    }

    private void Evict()
    {
        Entry? oldest = null;
        foreach (var e in _entries.Values)
            if (!e.InWindow && (oldest is null || e.Touched < oldest.Touched)) oldest = e;
        if (oldest is not null) _entries.Remove(oldest.Id);
    }

    /// <summary>Result of <see cref="Admit"/>.</summary>
    /// <param name="Skip">Leading items already applied (duplicates).</param>
    /// <param name="ResendFrom">0, or the next expected sequence number when the batch starts after a gap.</param>
    public readonly record struct Admission(int Skip, long ResendFrom)
    {
        /// <summary>True when the batch starts after a gap and nothing of it may be applied.</summary>
        public bool IsGap => ResendFrom > 0;
    }

    /// <summary>A producer's marks and how to reach it.</summary>
    /// <param name="ProducerId">The producer.</param>
    /// <param name="Applied">Highest applied sequence number.</param>
    /// <param name="Persisted">Highest persisted sequence number.</param>
    /// <param name="Ref">Where its acks go (null until it sent a batch to this incarnation).</param>
    public sealed record ProducerMarks(string ProducerId, long Applied, long Persisted, TRef? Ref);

    private sealed class Entry(string id)
    {
        public string Id { get; } = id;
        public long Applied;
        public long Persisted;
        public TRef? Ref;
        public long Touched;
        public bool InWindow;

        public ProducerMarks ToMarks() => new(Id, Applied, Persisted, Ref);
    }
}
