using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace PeerActors.Selection;

/// <summary>
/// The selector's durability helper (a child of <see cref="SelectorActor"/>): the only persistent actor of the selector,
/// so the selector itself stays a plain in-memory index. It
/// <list type="bullet">
/// <item>recovers the latest <see cref="SelectorSnapshot"/> and hands it to the parent (<see cref="CheckpointLoaded"/>);</item>
/// <item>writes <see cref="SelectorCheckpointMark"/> events and reads back their journal ordering
/// (<see cref="CheckpointMarked"/>): the cheap way to learn "the journal's offset now";</item>
/// <item>saves snapshots given by the parent (<see cref="SaveCheckpoint"/>), then deletes older snapshots.</item>
/// </list>
/// A journal or snapshot-store failure stops it (Akka.Persistence's rule); the parent then runs without snapshots.
/// </summary>
internal sealed class SelectorCheckpointActor : ReceivePersistentActor
{
    private readonly string _readJournalPluginId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private SelectorSnapshot? _recovered;
    private long _lastSnapshotSeqNr;
    // Saves in flight by snapshot sequence number (two saves without a mark between share one; the store answers in order).
    private readonly Dictionary<long, Queue<SaveCheckpoint>> _savesInFlight = new();

    public SelectorCheckpointActor(string persistenceId, SelectorOptions options)
    {
        PersistenceId = persistenceId;
        _readJournalPluginId = options.ReadJournalPluginId;
        if (options.JournalPluginId is { } j) JournalPluginId = j;
        if (options.SnapshotPluginId is { } s) SnapshotPluginId = s;

        Recover<SnapshotOffer>(o =>
        {
            _recovered = o.Snapshot as SelectorSnapshot;
            _lastSnapshotSeqNr = o.Metadata.SequenceNr;
        });
        Recover<SelectorCheckpointMark>(_ => { });
        Recover<RecoveryCompleted>(_ =>
        {
            // The start mark: once the start-up wake is complete, the parent's state reflects every event up to it.
            var snapshot = _recovered;
            _recovered = null; // the parent owns it from here (it may be large)
            PersistMark(ordering => new CheckpointLoaded(snapshot, ordering));
        });

        Command<WriteCheckpointMark>(m => PersistMark(ordering => ordering is { } o ? new CheckpointMarked(o, m.SafeNowFor) : m.SafeNowFor is { } r
            ? new CheckpointMarkUnread(r) : null));
        Command<SaveCheckpoint>(m =>
        {
            if (!_savesInFlight.TryGetValue(LastSequenceNr, out var q)) _savesInFlight[LastSequenceNr] = q = new Queue<SaveCheckpoint>();
            q.Enqueue(m);
            SaveSnapshot(m.Snapshot);
        });
        Command<SaveSnapshotSuccess>(s =>
        {
            var seq = s.Metadata.SequenceNr;
            Reply(seq, null);
            // Keep only the latest snapshot (each holds every peer). The marks are kept: a few bytes per interval, and
            // deleting them would leave gaps in the journal's ordering, which Akka.Persistence.Sql's offset queries
            // (the catch-up) wait out before trusting the highest ordering.
            if (_lastSnapshotSeqNr > 0 && _lastSnapshotSeqNr < seq)
                DeleteSnapshots(new SnapshotSelectionCriteria(seq - 1, DateTime.MaxValue));
            _lastSnapshotSeqNr = seq;
        });
        Command<SaveSnapshotFailure>(f =>
        {
            _log.Warning(f.Cause, "selector snapshot could not be saved");
            Reply(f.Metadata.SequenceNr, f.Cause.Message);
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "selector: deleting old snapshots failed"));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, SelectorOptions options) =>
        Akka.Actor.Props.Create(() => new SelectorCheckpointActor(persistenceId, options));

    private void Reply(long seq, string? error)
    {
        if (!_savesInFlight.TryGetValue(seq, out var q) || !q.TryDequeue(out var save)) return;
        if (q.Count == 0) _savesInFlight.Remove(seq);
        Context.Parent.Tell(new CheckpointSaved(save.ReplyTo, save.Snapshot.Entries.Count + save.Snapshot.Forgotten.Count, save.Snapshot.Offset, error,
            save.Changes));
    }

    /// <summary>Persists a mark, reads its ordering back, and sends the parent <paramref name="toParent"/>(ordering).</summary>
    private void PersistMark(Func<long?, object?> toParent)
    {
        var parent = Context.Parent;
        Persist(new SelectorCheckpointMark(DateTimeOffset.UtcNow), _ =>
        {
            var seq = LastSequenceNr;
            ReadOrdering(seq).ContinueWith(t =>
            {
                if (t.IsFaulted) _log.Warning("selector: the ordering of checkpoint mark {0} could not be read: {1}", seq, t.Exception?.GetBaseException().Message);
                var msg = toParent(t.IsCompletedSuccessfully ? t.Result : null);
                if (msg is not null) parent.Tell(msg, ActorRefs.NoSender);
            }, TaskScheduler.Default);
        });
    }

    private Task<long?> ReadOrdering(long seq)
    {
        ICurrentEventsByPersistenceIdQuery journal;
        try
        {
            journal = PersistenceQuery.Get(Context.System).ReadJournalFor<ICurrentEventsByPersistenceIdQuery>(_readJournalPluginId);
        }
        catch (Exception e)
        {
            return Task.FromException<long?>(e);
        }
        return journal.CurrentEventsByPersistenceId(PersistenceId, seq, seq)
            .Select(e => e.Offset is Sequence s ? s.Value : (long?)null)
            .RunWith(Sink.FirstOrDefault<long?>(), Context.Materializer());
    }
}

/// <summary>Checkpoint helper → selector: recovery done. <paramref name="MarkOffset"/> = ordering of the start mark (null = unknown: no snapshots).</summary>
internal sealed record CheckpointLoaded(SelectorSnapshot? Snapshot, long? MarkOffset);

/// <summary>
/// Selector → checkpoint helper: write a mark (answered with <see cref="CheckpointMarked"/>). <paramref name="SafeNowFor"/>
/// set: the mark is safe at once and a snapshot is to be saved for that requester (<see cref="SaveSelectorSnapshotAtMark"/>).
/// </summary>
internal sealed record WriteCheckpointMark(IActorRef? SafeNowFor = null)
{
    public static WriteCheckpointMark Instance { get; } = new();
}

/// <summary>Checkpoint helper → selector: a mark written now has this journal ordering (safe at once for <paramref name="SafeNowFor"/>'s save).</summary>
internal sealed record CheckpointMarked(long Offset, IActorRef? SafeNowFor = null);

/// <summary>Checkpoint helper → selector: the mark asked for <paramref name="ReplyTo"/>'s save could not be written or read back.</summary>
internal sealed record CheckpointMarkUnread(IActorRef ReplyTo);

/// <summary>Selector → checkpoint helper: save this snapshot; report to <paramref name="ReplyTo"/> via <see cref="CheckpointSaved"/>.</summary>
/// <param name="Snapshot">What to save.</param>
/// <param name="ReplyTo">Who awaits the outcome, or null.</param>
/// <param name="Changes">The selector's change count the snapshot reflects, handed back in <see cref="CheckpointSaved"/>.</param>
internal sealed record SaveCheckpoint(SelectorSnapshot Snapshot, IActorRef? ReplyTo, long Changes = 0);

/// <summary>Checkpoint helper → selector: a save finished (<paramref name="Error"/> null = stored).</summary>
internal sealed record CheckpointSaved(IActorRef? ReplyTo, int Entries, long Offset, string? Error, long Changes = 0);
