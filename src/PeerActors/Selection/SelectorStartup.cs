namespace PeerActors.Selection;

/// <summary>
/// The selector's start-up bookkeeping (no Akka): where its state came from, whether the start-up wake is over, and the
/// journal offset a snapshot taken now would be complete up to (<see cref="SafeOffset"/>).
/// </summary>
/// <remarks>
/// Offsets come from checkpoint marks. The start mark is written before the start-up wake reads the journal, so once
/// the wake is over every event up to it is reflected (a woken peer publishes its whole current state). A mark written
/// later becomes safe only one snapshot interval after it was written (<see cref="PromotePendingMark"/>): an event
/// just before it may still be on its way to the selector (publisher batching, pub-sub).
/// </remarks>
internal sealed class SelectorStartup
{
    public const string None = "none";
    public const string FromSnapshot = "snapshot";
    public const string FromJournal = "journal";

    private long? _startMark;
    private long? _pendingMark;
    private int _snapshotEntries;
    private string? _error;

    /// <summary>Where the state came from: <see cref="None"/>, <see cref="FromSnapshot"/> or <see cref="FromJournal"/>.</summary>
    public string Source { get; private set; } = None;

    /// <summary>The checkpoint helper has reported (snapshot or none).</summary>
    public bool Loaded { get; private set; }

    /// <summary>The start-up wake is over (or was not needed).</summary>
    public bool Complete { get; private set; }

    /// <summary>The catch-up failed once and the full wake replaced it.</summary>
    public bool CatchUpFailedOnce { get; private set; }

    /// <summary>The loaded snapshot's offset (0 = none).</summary>
    public long SnapshotOffset { get; private set; }

    /// <summary>The offset a snapshot saved now is complete up to; null = none yet (nothing may be saved).</summary>
    public long? SafeOffset { get; private set; }

    /// <summary>Peers woken by the start-up (catch-up or full wake).</summary>
    public WakeCounter Woken { get; } = new();

    public void OnLoaded(SelectorSnapshot? snapshot, long? startMark)
    {
        Loaded = true;
        _startMark = startMark;
        if (snapshot is null) return;
        Source = FromSnapshot;
        _snapshotEntries = snapshot.Entries.Count + snapshot.Forgotten.Count;
        SnapshotOffset = snapshot.Offset;
        // The loaded state plus anything learnt since is complete up to the snapshot's own offset.
        if (startMark is not null) SafeOffset = snapshot.Offset;
    }

    public void StartFullWake() => Source = FromJournal;

    public void StartCatchUp() => Source = FromSnapshot;

    public void CatchUpFailed()
    {
        CatchUpFailedOnce = true;
        Source = FromJournal;
    }

    public void Finish(string? error)
    {
        Loaded = true;
        Complete = true;
        _error = error;
        // A finished wake reflects every event up to the start mark; a failed one leaves the earlier safe offset.
        if (error is null && Source != None && _startMark is { } mark) SafeOffset = Math.Max(SafeOffset ?? 0, mark);
    }

    /// <summary>A mark was written now: it becomes safe at the next <see cref="PromotePendingMark"/>.</summary>
    public void OnMark(long offset)
    {
        if (Complete && _error is null && Source != None) _pendingMark = offset;
    }

    /// <summary>
    /// A mark whose every earlier event the caller vouches is reflected (<see cref="SaveSelectorSnapshotAtMark"/>): safe at
    /// once. Returns false (nothing changes) before the start-up is complete, after it failed, or without a journal source.
    /// </summary>
    public bool OnMarkSafeNow(long offset)
    {
        if (!Complete || _error is not null || Source == None) return false;
        SafeOffset = Math.Max(SafeOffset ?? 0, offset);
        return true;
    }

    /// <summary>At a snapshot tick: the mark written one interval ago is now safe.</summary>
    public void PromotePendingMark()
    {
        if (_pendingMark is not { } mark) return;
        SafeOffset = Math.Max(SafeOffset ?? 0, mark);
        _pendingMark = null;
    }

    public SelectorBootstrapStatus Status() =>
        new(Source, Complete, _snapshotEntries, SnapshotOffset, Woken.Value, _error);
}
