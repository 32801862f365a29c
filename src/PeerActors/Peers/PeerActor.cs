using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using PeerActors.Core.Bandwidth;
using PeerActors.Core.Fitness;
using PeerActors.Core.Identity;
using PeerActors.Core.Stats;
using PeerActors.Core.Validation;
using PeerActors.Diagnostics;
using PeerActors.Selection;

namespace PeerActors.Peers;

/// <summary>
/// One event-sourced actor per peer id (PersistenceId <c>peer-&lt;id&gt;</c>) owning the peer's statistics (SPEC §2),
/// fitness log and channels (§4), bandwidth (§5) and serving tags; handles every message of PeerCommands.cs.
/// </summary>
/// <remarks>
/// <para><b>Durability (SPEC §8).</b> Critical commands (payments, receipts, defaults, channel open/close, forget) are
/// persisted before the <see cref="CommandAck"/> is sent; if unflushed high-rate changes exist they are written in the
/// same atomic batch, first (PersistAll), so the journal order matches the order of application. High-rate
/// observations are applied at once, acknowledged with <see cref="Durability.HighRate"/>, and persisted as one
/// <see cref="ObservationsFlushed"/> event when the flush timer fires (started by the first unflushed change, so at most
/// one write per <see cref="PeerActorSettings.FlushInterval"/> and none while idle), and on <see cref="PeerStop"/>
/// (hand-off, passivation, graceful shutdown). A crash loses at most the observations of one interval.</para>
/// <para><b>Errors.</b> Every problem is a typed <see cref="CommandRejected"/> (never a timeout): invalid input names
/// the field and leaves the state unchanged (validation precedes mutation); a query to a peer with no history gets
/// "peer not found" and persists nothing; a failed journal write gets "persistence-failure" (the actor then stops,
/// Akka.Persistence's rule, and the next message recovers the last persisted state). Replies are sent only when the
/// message has a sender.</para>
/// <para><b>Snapshots.</b> Every <see cref="PeerActorSettings.SnapshotEvery"/> events; older snapshots are deleted
/// after a successful save (events too when <see cref="PeerActorSettings.DeleteEventsOnSnapshot"/>).</para>
/// </remarks>
public sealed class PeerActor : ReceivePersistentActor, IWithTimers
{
    private const string FlushTimerKey = "flush";

    private readonly string _entityId;
    private readonly PeerId _peerId;
    private readonly InvalidInputException? _idError;
    private readonly PeerActorSettings _settings;
    private readonly IScoreInputsPublisher _publisher;
    private readonly PeerState _state;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PeerBytesCell? _cell;

    // The unflushed window of high-rate observations.
    private bool _pending;
    private bool _scoreDirty;
    private DateTimeOffset _from;
    private DateTimeOffset _to;
    private long _requests, _successes, _timeouts, _failures, _ingress, _egress, _online, _offline, _serves;

    private int _eventsSinceSnapshot;
    private IActorRef? _criticalReplyTo;
    private IActorRef? _forgetReplyTo;
    private PeerStatsState? _forgottenStats;
    private bool _forgetEventsDeleted;
    private bool _forgetSnapshotsDeleteSent;
    private bool _snapshotInFlight;
    private long _lastSnapshotSeqNr;

    /// <summary>Creates the actor for <paramref name="entityId"/> (the sharding entity id, i.e. the peer id).</summary>
    /// <param name="entityId">The peer id.</param>
    /// <param name="settings">Settings.</param>
    /// <param name="publisher">Where score inputs are published.</param>
    public PeerActor(string entityId, PeerActorSettings settings, IScoreInputsPublisher publisher)
    {
        _entityId = entityId ?? string.Empty;
        _settings = settings.Validate();
        _publisher = publisher;
        _state = new PeerState(_settings);
        try
        {
            _peerId = PeerId.Parse(_entityId);
        }
        catch (InvalidInputException e)
        {
            _idError = e;
        }
        PersistenceId = "peer-" + _entityId;
        if (_settings.JournalPluginId is { } j) JournalPluginId = j;
        if (_settings.SnapshotPluginId is { } s) SnapshotPluginId = s;

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is PeerSnapshot snap) _state.Load(snap.State);
            _lastSnapshotSeqNr = o.Metadata.SequenceNr;
        });
        Recover<IPeerEvent>(e => _state.Apply(_peerId, e));
        Recover<RecoveryCompleted>(_ => UpdateBytesCell());
        Active();
    }

    /// <summary>Props for the actor of <paramref name="entityId"/>.</summary>
    /// <param name="entityId">The peer id.</param>
    /// <param name="settings">Settings.</param>
    /// <param name="publisher">Score-input publisher.</param>
    /// <returns>The props.</returns>
    public static Props Props(string entityId, PeerActorSettings settings, IScoreInputsPublisher publisher) =>
        Akka.Actor.Props.Create(() => new PeerActor(entityId, settings, publisher));

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Timer scheduler (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        PeerActorsMetrics.ActivePeers.Add(1);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        PeerActorsMetrics.ActivePeers.Add(-1);
        if (_cell is not null) PeerActorsMetrics.Unregister(_cell);
        base.PostStop();
    }

    // ------------------------------------------------------------------ behaviours

    private void Active()
    {
        Command<RecordRequest>(m => HighRate(m, () => Guard.NonNegative(m.Bytes, "bytes"), s =>
        {
            s.RecordRequest(m.Bytes);
            _requests++;
            _scoreDirty = true;
        }));
        Command<RecordSuccess>(m => HighRate(m, () =>
        {
            Guard.FiniteNonNegative(m.RttMs, "rttMs");
            Guard.NonNegative(m.Bytes, "bytes");
        }, s =>
        {
            s.RecordSuccess(m.RttMs, m.Bytes, m.ObservedAt);
            _successes++;
            _scoreDirty = true;
        }));
        Command<RecordTimeout>(m => HighRate(m, null, s =>
        {
            s.RecordTimeout(m.ObservedAt);
            _timeouts++;
            _scoreDirty = true;
        }));
        Command<RecordFailure>(m => HighRate(m, null, s =>
        {
            s.RecordFailure(m.ObservedAt);
            _failures++;
            _scoreDirty = true;
        }));
        Command<RecordBytes>(m => HighRate(m, () =>
        {
            if (m.Direction is not (TrafficDirection.Ingress or TrafficDirection.Egress))
                throw new InvalidInputException("direction", $"unknown direction {(int)m.Direction}");
            Guard.NonNegative(m.Bytes, "bytes");
            if (m.Bytes > long.MaxValue - _state.Bandwidth.Total(m.Direction)) // refused, not saturated: totals stay exact
                throw new InvalidInputException("bytes", $"{m.Bytes} would take the peer's {m.Direction} total past {long.MaxValue}");
        }, _ =>
        {
            _state.Bandwidth.Record(m.Direction, m.Bytes, m.ObservedAt);
            if (m.Direction == TrafficDirection.Ingress)
            {
                _ingress += m.Bytes;
                PeerActorsMetrics.IngressBytes.Add(m.Bytes);
            }
            else
            {
                _egress += m.Bytes;
                PeerActorsMetrics.EgressBytes.Add(m.Bytes);
            }
            UpdateBytesCell();
        }));
        Command<PeerOnline>(m => HighRate(m, null, _ =>
        {
            _state.Log.OnlineEvent(true, m.ObservedAt);
            _online++;
        }));
        Command<PeerOffline>(m => HighRate(m, null, _ =>
        {
            _state.Log.OnlineEvent(false, m.ObservedAt);
            _offline++;
        }));
        Command<PeerServes>(m => HighRate(m, () =>
        {
            if (m.Protocol is null && m.Service is null)
                throw new InvalidInputException("protocol", "a protocol or a service is required");
            if (m.Protocol is not null && PeerId.Validate(m.Protocol) is { } pe) throw new InvalidInputException("protocol", pe);
            if (m.Service is not null && PeerId.Validate(m.Service) is { } se) throw new InvalidInputException("service", se);
        }, _ =>
        {
            var changed = m.Protocol is not null && _state.Protocols.Add(m.Protocol);
            changed |= m.Service is not null && _state.Services.Add(m.Service);
            if (changed) _scoreDirty = true;
            _serves++;
        }));

        Command<RecordPayment>(m => Critical(m, () => Guard.NonNegative(m.AmountSat, "amountSat"),
            () => new PaymentRecorded(m.AmountSat, m.ObservedAt.ToUniversalTime())));
        Command<RecordReceipt>(m => Critical(m, () => Guard.NonNegative(m.AmountSat, "amountSat"),
            () => new ReceiptRecorded(m.AmountSat, m.ObservedAt.ToUniversalTime())));
        Command<RecordPaymentDefault>(m => Critical(m, null, () => new PaymentDefaultRecorded(m.ObservedAt.ToUniversalTime())));
        Command<OpenChannel>(m => Critical(m, () =>
        {
            ChannelId.Parse(m.ChannelId);
            if (_state.Log.Channels.ContainsKey(m.ChannelId))
                throw new RejectionException("channel already exists", "channelId", $"channel already present: {m.ChannelId}");
        }, () => new ChannelOpened(m.ChannelId, m.ObservedAt.ToUniversalTime())));
        Command<CloseChannel>(m => Critical(m, () =>
        {
            ChannelId.Parse(m.ChannelId);
            if (!_state.Exists) throw new RejectionException("peer not found", null, $"peer not found in event store: {_entityId}");
            if (!_state.Log.Channels.ContainsKey(m.ChannelId))
                throw new RejectionException("channel not found", "channelId", $"channel not found in event store: {m.ChannelId}");
        }, () => new ChannelClosed(m.ChannelId, m.ObservedAt.ToUniversalTime())));
        Command<Forget>(StartForget);

        Command<GetPeerStats>(m => Query(m, () =>
        {
            var now = m.Now ?? _settings.TimeProvider.GetUtcNow();
            var s = _state.Stats!;
            var (flaps, lastFlap) = _state.Log.FlapCount();
            return new PeerStatsReply(s.ToState(), now, s.SuccessRate, s.SelectionRate(now), s.Score(now),
                s.UtilityScore(s.RequestsSent), s.TitForTatScore(s.RequestsSent), s.IsBackedOff(now),
                s.BackoffRemaining(now).TotalMilliseconds, s.PaymentPriorityBoost, s.PaymentReliabilityMultiplier,
                _state.Log.Online, flaps, lastFlap, _state.Log.ChannelCount,
                (ulong)_state.Bandwidth.IngressBytes, (ulong)_state.Bandwidth.EgressBytes);
        }));
        Command<GetChannelUptime>(m => Query(m, () =>
        {
            var now = m.Now ?? _settings.TimeProvider.GetUtcNow();
            var r = _state.Log.ChannelUptime(m.ChannelId, now);
            return new ChannelUptimeReply(_entityId, m.ChannelId, r.Lifetime, r.Uptime);
        }));
        Command<GetFlapCount>(m => Query(m, () =>
        {
            var (count, last) = _state.Log.FlapCount();
            return new FlapCountReply(_entityId, count, last);
        }));
        Command<GetBandwidth>(m => Query(m, () =>
        {
            var epochs = _state.Bandwidth.Rows(_entityId)
                .Select(r => new BandwidthEpoch(r.EpochStart, r.EpochEnd, (ulong)r.IngressBytes, (ulong)r.EgressBytes))
                .ToArray();
            return new BandwidthReply(_entityId, (ulong)_state.Bandwidth.IngressBytes, (ulong)_state.Bandwidth.EgressBytes, epochs);
        }));

        // Selector journal bootstrap: a woken peer publishes its current score inputs (nothing when it has no history).
        Command<Selection.PublishScoreInputs>(_ => PublishScoreInputs());
        Command<FlushTick>(_ => FlushAsync());
        Command<PeerStop>(_ => StopAfterFlush());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotInFlight = false;
            _log.Warning(f.Cause, "peer {0}: snapshot failed", _entityId);
        });
        Command<DeleteSnapshotSuccess>(_ => { });
        Command<DeleteSnapshotFailure>(f => _log.Warning(f.Cause, "peer {0}: deleting an old snapshot failed", _entityId));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "peer {0}: deleting old events failed", _entityId));
    }

    /// <summary>While deleting history for <see cref="Forget"/>: everything else is answered "peer not found".</summary>
    private void Forgetting()
    {
        Command<DeleteMessagesSuccess>(_ =>
        {
            _forgetEventsDeleted = true;
            TryDeleteAllSnapshots();
        });
        Command<DeleteMessagesFailure>(f => ForgetFailed(f.Cause));
        Command<SaveSnapshotSuccess>(_ =>
        {
            _snapshotInFlight = false;
            TryDeleteAllSnapshots();
        });
        Command<SaveSnapshotFailure>(_ =>
        {
            _snapshotInFlight = false;
            TryDeleteAllSnapshots();
        });
        Command<DeleteSnapshotSuccess>(d =>
        {
            // Ignore the completion of an older "keep latest" deletion started before Forget.
            if (_forgetSnapshotsDeleteSent && d.Metadata.SequenceNr == _lastSnapshotSeqNr)
                DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue));
        });
        Command<DeleteSnapshotFailure>(f =>
        {
            if (_forgetSnapshotsDeleteSent && f.Metadata.SequenceNr == _lastSnapshotSeqNr) ForgetFailed(f.Cause);
        });
        Command<DeleteSnapshotsSuccess>(_ =>
        {
            if (_forgottenStats is { } st)
                _publisher.Publish(new PeerScoreInputs(st, LastSequenceNr + 1, [], [], Forgotten: true));
            Reply(_forgetReplyTo, new CommandAck(_entityId, Durability.Critical));
            Context.Stop(Self);
        });
        Command<DeleteSnapshotsFailure>(f => ForgetFailed(f.Cause));
        Command<IPeerMessage>(m => Reply(Sender, new CommandRejected(m.EntityId, "peer not found", null,
            $"peer {m.EntityId} is being forgotten; retry")));
        Command<PeerStop>(_ => { });
        Command<FlushTick>(_ => { });
        Command<object>(_ => { });
    }

    // ------------------------------------------------------------------ handling

    private bool CheckAddressed(IPeerMessage m)
    {
        if (_idError is not null)
        {
            var field = m is RecordBytes { PeerId: null or "" } ? "sessionId" : _idError.Field;
            Reply(Sender, new CommandRejected(m.EntityId, "invalid-input", field, $"{field}: {_idError.Message}"));
            return false;
        }
        if (!string.Equals(m.EntityId, _entityId, StringComparison.Ordinal))
        {
            Reply(Sender, new CommandRejected(m.EntityId, "invalid-input", "peerId",
                $"message for peer '{m.EntityId}' delivered to the actor of '{_entityId}'"));
            return false;
        }
        return true;
    }

    private static void ValidateInstant(DateTimeOffset at)
    {
        Guard.ObservationInstant(at, "observedAt");
    }

    private void HighRate(IPeerObservation m, Action? validate, Action<PeerStats> apply)
    {
        if (!CheckAddressed(m)) return;
        try
        {
            ValidateInstant(m.ObservedAt);
            validate?.Invoke();
        }
        catch (InvalidInputException e)
        {
            RejectInvalid(e);
            return;
        }
        var created = !_state.Exists;
        var stats = _state.EnsureCreated(_peerId, m.ObservedAt);
        if (created) _scoreDirty = true;
        apply(stats);
        PeerActorsMetrics.IngestEvents.Add(1);
        MarkPending(m.ObservedAt);
        Reply(Sender, new CommandAck(_entityId, Durability.HighRate));
    }

    private void Critical(IPeerObservation m, Action? validate, Func<IPeerEvent> toEvent)
    {
        if (!CheckAddressed(m)) return;
        try
        {
            ValidateInstant(m.ObservedAt);
            validate?.Invoke();
        }
        catch (InvalidInputException e)
        {
            RejectInvalid(e);
            return;
        }
        catch (RejectionException e)
        {
            Reply(Sender, new CommandRejected(_entityId, e.Error, e.Field, e.Message));
            return;
        }

        var replyTo = Sender;
        var batch = new List<IPeerEvent>(2);
        if (_pending) batch.Add(TakeFlushEvent());
        batch.Add(toEvent());
        _criticalReplyTo = replyTo;
        PeerActorsMetrics.JournalWrites.Add(1);
        PersistAll(batch, e =>
        {
            if (e is ObservationsFlushed)
            {
                AfterPersisted();
                return;
            }
            _state.Apply(_peerId, e);
            PeerActorsMetrics.IngestEvents.Add(1);
            _criticalReplyTo = null;
            AfterPersisted();
            PublishScoreInputs();
            Reply(replyTo, new CommandAck(_entityId, Durability.Critical));
        });
    }

    private void Query(IPeerMessage m, Func<object> answer)
    {
        if (!CheckAddressed(m)) return;
        if (!_state.Exists)
        {
            Reply(Sender, new CommandRejected(_entityId, "peer not found", null, $"peer not found in event store: {_entityId}"));
            return;
        }
        try
        {
            Reply(Sender, answer());
        }
        catch (ChannelNotFoundException e)
        {
            Reply(Sender, new CommandRejected(_entityId, "channel not found", "channelId", e.Message));
        }
        catch (InvalidInputException e)
        {
            RejectInvalid(e);
        }
    }

    private void StartForget(Forget m)
    {
        if (!CheckAddressed(m)) return;
        try
        {
            ValidateInstant(m.ObservedAt);
        }
        catch (InvalidInputException e)
        {
            RejectInvalid(e);
            return;
        }
        _forgetReplyTo = Sender;
        _forgottenStats = _state.Exists
            ? _state.Stats!.ToState()
            : null;
        DiscardPending();
        Become(Forgetting);
        // Runs after every in-flight PersistAsync flush, so their events are deleted too.
        DeferAsync(m, _ =>
        {
            PeerActorsMetrics.JournalWrites.Add(1);
            if (LastSequenceNr > 0) DeleteMessages(LastSequenceNr);
            else
            {
                _forgetEventsDeleted = true;
                TryDeleteAllSnapshots();
            }
        });
    }

    /// <summary>Deletes every snapshot once the events are gone and no snapshot save is still in flight (it would resurrect the peer).</summary>
    private void TryDeleteAllSnapshots()
    {
        if (!_forgetEventsDeleted || _snapshotInFlight || _forgetSnapshotsDeleteSent) return;
        _forgetSnapshotsDeleteSent = true;
        // The latest known snapshot is deleted by its own metadata first (the exact-key path of every snapshot
        // store), then everything else by criteria.
        if (_lastSnapshotSeqNr > 0) DeleteSnapshot(_lastSnapshotSeqNr);
        else DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue));
    }

    private void ForgetFailed(Exception cause)
    {
        _log.Error(cause, "peer {0}: forget failed", _entityId);
        Reply(_forgetReplyTo, new CommandRejected(_entityId, "persistence-failure", null, $"forget failed: {cause.Message}"));
        Context.Stop(Self); // the next incarnation recovers whatever is still stored
    }

    private void RejectInvalid(InvalidInputException e) =>
        Reply(Sender, new CommandRejected(_entityId, "invalid-input", e.Field, e.Message));

    private void Reply(IActorRef? to, object message)
    {
        if (to is null || to.IsNobody() || to.Equals(Context.System.DeadLetters)) return;
        to.Tell(message);
    }

    // ------------------------------------------------------------------ flushing

    private void MarkPending(DateTimeOffset at)
    {
        at = at.ToUniversalTime();
        if (!_pending)
        {
            _pending = true;
            _from = at;
            _to = at;
            Timers.StartSingleTimer(FlushTimerKey, FlushTick.Instance, _settings.FlushInterval);
            return;
        }
        if (at < _from) _from = at;
        if (at > _to) _to = at;
    }

    private ObservationsFlushed TakeFlushEvent()
    {
        var e = new ObservationsFlushed(_from, _to,
            new ObservationCounts(_requests, _successes, _timeouts, _failures, _ingress, _egress, _online, _offline, _serves),
            _state.ToData());
        DiscardPending();
        return e;
    }

    private void DiscardPending()
    {
        _pending = false;
        _requests = _successes = _timeouts = _failures = _ingress = _egress = _online = _offline = _serves = 0;
        Timers.Cancel(FlushTimerKey);
    }

    private void FlushAsync()
    {
        if (!_pending) return;
        var publish = _scoreDirty;
        _scoreDirty = false;
        var flush = TakeFlushEvent();
        PeerActorsMetrics.JournalWrites.Add(1);
        PersistAsync(flush, _ =>
        {
            AfterPersisted();
            if (publish) PublishScoreInputs();
        });
    }

    private void StopAfterFlush()
    {
        if (!_pending)
        {
            Context.Stop(Self);
            return;
        }
        var publish = _scoreDirty;
        _scoreDirty = false;
        PeerActorsMetrics.JournalWrites.Add(1);
        Persist(TakeFlushEvent(), _ =>
        {
            AfterPersisted();
            if (publish) PublishScoreInputs();
            Context.Stop(Self);
        });
    }

    private void AfterPersisted()
    {
        if (++_eventsSinceSnapshot < _settings.SnapshotEvery || !_state.Exists) return;
        _eventsSinceSnapshot = 0;
        _snapshotInFlight = true;
        SaveSnapshot(new PeerSnapshot(_state.ToData()));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess s)
    {
        _snapshotInFlight = false;
        // Keep only the latest snapshot: delete the previous one by its exact key (and any older by criteria).
        if (_lastSnapshotSeqNr > 0 && _lastSnapshotSeqNr < s.Metadata.SequenceNr) DeleteSnapshot(_lastSnapshotSeqNr);
        _lastSnapshotSeqNr = s.Metadata.SequenceNr;
        if (_settings.DeleteEventsOnSnapshot) DeleteMessages(s.Metadata.SequenceNr);
    }

    private void PublishScoreInputs()
    {
        if (!_state.Exists) return;
        _scoreDirty = false;
        _publisher.Publish(new PeerScoreInputs(_state.Stats!.ToState(), LastSequenceNr, _state.Protocols.ToArray(), _state.Services.ToArray()));
    }

    private void UpdateBytesCell()
    {
        if (_idError is not null || (_state.Bandwidth.IngressBytes == 0 && _state.Bandwidth.EgressBytes == 0)) return;
        _cell ??= PeerActorsMetrics.Register(_entityId);
        _cell.Set(_state.Bandwidth.IngressBytes, _state.Bandwidth.EgressBytes);
    }

    // ------------------------------------------------------------------ journal failures

    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        if (_criticalReplyTo is { } to)
        {
            Reply(to, new CommandRejected(_entityId, "persistence-failure", null, $"journal write failed: {cause.Message}"));
            _criticalReplyTo = null;
        }
        base.OnPersistFailure(cause, @event, sequenceNr); // logs; the actor then stops
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        if (_criticalReplyTo is { } to)
        {
            Reply(to, new CommandRejected(_entityId, "persistence-failure", null, $"journal rejected the event: {cause.Message}"));
            _criticalReplyTo = null;
        }
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed class RejectionException(string error, string? field, string message) : Exception(message)
    {
        public string Error { get; } = error;
        public string? Field { get; } = field;
    }
}
