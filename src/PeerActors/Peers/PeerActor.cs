using Akka.Persistence;

namespace PeerActors.Peers;

/// <summary>
/// One event-sourced actor per peer id (PersistenceId <c>peer-&lt;id&gt;</c>) owning the peer's statistics (SPEC §2),
/// fitness log and channels (§4), bandwidth (§5) and serving tags; handles every message of PeerCommands.cs.
/// </summary>
/// <remarks>
/// <para><b>Durability (SPEC §8).</b> Critical commands (payments, receipts, defaults, channel open/close, bans, forget) are
/// persisted before the <see cref="CommandAck"/> is sent; if unflushed high-rate changes exist they are written in the
/// same atomic batch, first (PersistAll), so the journal order matches the order of application. High-rate
/// observations are applied at once, acknowledged with <see cref="Durability.HighRate"/>, and persisted as one
/// <see cref="ObservationsFlushed"/> event when the flush timer fires (started by the first unflushed change, so at most
/// one write per <see cref="PeerActorSettings.FlushInterval"/> and none while idle), and on <see cref="PeerStop"/>
/// (hand-off, passivation, graceful shutdown). A crash loses at most the observations of one interval.</para>
/// <para><b>Errors.</b> Every problem is a typed <see cref="CommandRejected"/> (never a timeout): invalid input names
/// the field and leaves the state unchanged (validation precedes mutation); a query to a peer with no history gets
/// <c>peer-not-found</c> and persists nothing; a failed journal write gets <c>persistence-failure</c> (the actor then stops,
/// Akka.Persistence's rule, and the next message recovers the last persisted state). Replies are sent only when the
/// message has a sender. A stored snapshot or event that cannot be read (corrupt or truncated payload, unknown manifest)
/// fails recovery with one error naming the persistence id and the payload's manifest (<see cref="OnRecoveryFailure"/>).</para>
/// <para><b>Snapshots.</b> Every <see cref="PeerActorSettings.SnapshotEvery"/> events and on stop (see
/// <see cref="PeerActorSettings.SnapshotOnStop"/>). Once a snapshot at sequence number S is stored, the older snapshots
/// are deleted (one criteria delete, up to S−1), and with <see cref="PeerActorSettings.DeleteEventsOnSnapshot"/> the
/// events 1 … S−1 too (event S stays: see that property). A stopping actor that saves a snapshot waits for the store's
/// answer and for these deletions before it stops (at most <see cref="StopWaitTimeout"/>), so no stop leaves an older
/// snapshot behind. Deletions start only after the snapshot is stored: a failed save deletes nothing.</para>
/// </remarks>
public sealed class PeerActor : ReceivePersistentActor, IWithTimers
{
    private const string FlushTimerKey = "flush";
    private const string IdleTimerKey = "idle";
    private const string StopTimerKey = "stop";

    /// <summary>
    /// Longest wall time a stopping actor waits for its snapshot save and the deletions it starts before stopping
    /// anyway (the store still completes them; only their replies are lost). 10 s.
    /// </summary>
    public static readonly TimeSpan StopWaitTimeout = TimeSpan.FromSeconds(10);

    private readonly string _entityId;
    private readonly PeerId _peerId;
    private readonly InvalidInputException? _idError;
    private readonly PeerActorSettings _settings;
    private readonly IScoreInputsPublisher _publisher;
    private readonly PeerState _state;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PeerBytesCell? _cell;
    private readonly DeliveryInbox<IActorRef> _inbox = new();
    private DateTimeOffset _lastObservedAt = DateTimeOffset.UnixEpoch;
    // Latest instant of any applied observation or critical command (data time), for observation-clock passivation.
    private DateTimeOffset _lastActivityAt = DateTimeOffset.UnixEpoch;
    private bool _passivationRequested;
    private int _asyncFlushesInFlight;
    private bool _stopWhenFlushed;

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
    private long _forgetDeleteTo;
    // While stopping after a snapshot: the deletions it started and not yet answered (0 = none).
    private long _stopEventsDeleteTo;
    private long _stopSnapshotsDeleteTo;
    // Announced as absent from the journal (NewPeerRegistry): recovery skips the snapshot load.
    private readonly bool _announcedNew;

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
        _announcedNew = NewPeerRegistry.Get(Context.System).TryTake(_entityId);
        if (_settings.JournalPluginId is { } j) JournalPluginId = j;
        if (_settings.SnapshotPluginId is { } s) SnapshotPluginId = s;

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is PeerSnapshot snap)
            {
                _state.Load(snap.State);
                foreach (var m in snap.Deliveries ?? []) _inbox.Recover(m);
                _state.Ban = snap.Ban;
            }
            _lastSnapshotSeqNr = o.Metadata.SequenceNr;
        });
        Recover<IPeerEvent>(e =>
        {
            if (_announcedNew)
                throw new InvalidOperationException(
                    $"peer '{_entityId}' was announced as new (NewPeerRegistry) but the journal holds its event {LastSequenceNr}; its next incarnation recovers in full");
            _state.Apply(_peerId, e);
            RecoverMarks(e);
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _state.ResetWindow();
            UpdateBytesCell();
            ScheduleIdleCheck();
        });
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

    /// <summary>
    /// Akka's default (latest snapshot, then the events after it), except for a peer announced as new
    /// (<see cref="NewPeerRegistry"/>): no snapshot is loaded (<see cref="SnapshotSelectionCriteria.None"/>, answered by
    /// the snapshot store without a query); the events are still read, so an announcement that was wrong fails recovery.
    /// </summary>
    public override Recovery Recovery => _announcedNew ? NewPeerRecovery : base.Recovery;

    private static readonly Recovery NewPeerRecovery = new(SnapshotSelectionCriteria.None);

    /// <summary>Timer scheduler (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        PeerActorsMetrics.PeerActorAlive(1);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        PeerActorsMetrics.PeerActorAlive(-1);
        if (_cell is not null) PeerActorsMetrics.Unregister(_cell);
        base.PostStop();
    }

    // ------------------------------------------------------------------ behaviours

    private void Active()
    {
        Command<RecordRequest>(OnHighRate);
        Command<RecordSuccess>(OnHighRate);
        Command<RecordTimeout>(OnHighRate);
        Command<RecordFailure>(OnHighRate);
        Command<RecordBytes>(OnHighRate);
        Command<PeerOnline>(OnHighRate);
        Command<PeerOffline>(OnHighRate);
        Command<PeerServes>(OnHighRate);
        Command<ObservationBatch>(OnBatch);

        Command<RecordPayment>(OnCritical);
        Command<RecordReceipt>(OnCritical);
        Command<RecordPaymentDefault>(OnCritical);
        Command<OpenChannel>(OnCritical);
        Command<CloseChannel>(OnCritical);
        Command<Forget>(StartForget);
        Command<Ban>(OnCritical);
        Command<Unban>(m =>
        {
            if (_state.Ban is null && CheckAddressed(m))
                Reply(Sender, new CommandAck(_entityId, Durability.Critical)); // idempotent: nothing to lift, nothing written
            else if (_state.Ban is not null)
                OnCritical(m);
        });

        Command<GetPeerStats>(m => Query(m, () =>
        {
            var now = m.Now ?? _settings.TimeProvider.GetUtcNow();
            var s = _state.Stats!;
            var (flaps, lastFlap) = _state.Log.FlapCount();
            return new PeerStatsReply(s.ToState(), now, s.SuccessRate, s.SelectionRate(now), s.Score(now),
                s.UtilityScore(s.RequestsSent), s.TitForTatScore(s.RequestsSent), s.IsBackedOff(now),
                s.BackoffRemaining(now).TotalMilliseconds, s.PaymentPriorityBoost, s.PaymentReliabilityMultiplier,
                _state.Log.Online, flaps, lastFlap, _state.Log.ChannelCount,
                (ulong)_state.Bandwidth.IngressBytes, (ulong)_state.Bandwidth.EgressBytes, _state.Ban?.Until, _state.Ban?.Reason);
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
        Command<IdleCheck>(_ => OnIdleCheck());
        Command<PeerStop>(_ => StopAfterFlush());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotInFlight = false;
            _log.Warning(f.Cause, "peer {0}: snapshot failed", _entityId);
        });
        Command<DeleteSnapshotSuccess>(_ => { });
        Command<DeleteSnapshotFailure>(f => _log.Warning(f.Cause, "peer {0}: deleting an old snapshot failed", _entityId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "peer {0}: deleting old snapshots failed", _entityId));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "peer {0}: deleting old events failed", _entityId));
    }

    /// <summary>
    /// After <see cref="PeerStop"/> saved a snapshot (or found one in flight): waits for the store's answer, then for the
    /// deletions of the history it covers (<see cref="DeleteCoveredHistory"/>), then stops. Anything else is left
    /// unhandled, as it would be by a stopped actor (the shard buffers messages for a passivating entity; the delivery
    /// producer resends unconfirmed items to the next incarnation).
    /// </summary>
    private void StoppingAfterSnapshot()
    {
        Command<SaveSnapshotSuccess>(s =>
        {
            _snapshotInFlight = false;
            DeleteCoveredHistory(s.Metadata.SequenceNr, stopping: true);
            StopWhenDeleted();
        });
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotInFlight = false;
            _log.Warning(f.Cause, "peer {0}: snapshot on stop failed", _entityId);
            Context.Stop(Self);
        });
        Command<DeleteSnapshotsSuccess>(d => StopDeleteAnswered(snapshotsTo: d.Criteria.MaxSequenceNr));
        Command<DeleteSnapshotsFailure>(f =>
        {
            _log.Warning(f.Cause, "peer {0}: deleting old snapshots failed", _entityId);
            StopDeleteAnswered(snapshotsTo: f.Criteria.MaxSequenceNr);
        });
        Command<DeleteMessagesSuccess>(d => StopDeleteAnswered(eventsTo: d.ToSequenceNr));
        Command<DeleteMessagesFailure>(f =>
        {
            _log.Warning(f.Cause, "peer {0}: deleting old events failed", _entityId);
            StopDeleteAnswered(eventsTo: f.ToSequenceNr);
        });
        Command<DeleteSnapshotSuccess>(_ => { });
        Command<DeleteSnapshotFailure>(_ => { });
        Command<StopWaitExpired>(_ =>
        {
            _log.Warning("peer {0}: stopping without the answer of the snapshot store or journal after {1}", _entityId, StopWaitTimeout);
            Context.Stop(Self);
        });
        Command<PeerStop>(_ => { });
        Command<FlushTick>(_ => { });
        Command<IdleCheck>(_ => { });
    }

    private void StopDeleteAnswered(long eventsTo = 0, long snapshotsTo = 0)
    {
        if (eventsTo != 0 && eventsTo == _stopEventsDeleteTo) _stopEventsDeleteTo = 0;
        if (snapshotsTo != 0 && snapshotsTo == _stopSnapshotsDeleteTo) _stopSnapshotsDeleteTo = 0;
        StopWhenDeleted();
    }

    private void StopWhenDeleted()
    {
        if (_snapshotInFlight || _stopEventsDeleteTo != 0 || _stopSnapshotsDeleteTo != 0) return;
        Context.Stop(Self);
    }

    /// <summary>While deleting history for <see cref="Forget"/>: everything else is answered <c>peer-not-found</c>.</summary>
    private void Forgetting()
    {
        // Only the answers to Forget's own deletions count; a deletion started by an earlier snapshot answers too.
        Command<DeleteMessagesSuccess>(d =>
        {
            if (d.ToSequenceNr != _forgetDeleteTo) return;
            _forgetEventsDeleted = true;
            TryDeleteAllSnapshots();
        });
        Command<DeleteMessagesFailure>(f =>
        {
            if (f.ToSequenceNr == _forgetDeleteTo) ForgetFailed(f.Cause);
        });
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
        Command<DeleteSnapshotsSuccess>(d =>
        {
            if (d.Criteria.MaxSequenceNr != long.MaxValue) return;
            if (_forgottenStats is { } st)
                _publisher.Publish(new PeerScoreInputs(st, LastSequenceNr + 1, [], [], Forgotten: true));
            Reply(_forgetReplyTo, new CommandAck(_entityId, Durability.Critical));
            Context.Stop(Self);
        });
        Command<DeleteSnapshotsFailure>(f =>
        {
            if (f.Criteria.MaxSequenceNr == long.MaxValue) ForgetFailed(f.Cause);
        });
        Command<ObservationBatch>(_ => { }); // no ack: the producer resends to the next incarnation
        Command<IPeerMessage>(m => Reply(Sender, new CommandRejected(m.EntityId, ErrorCodes.PeerNotFound, null,
            $"peer {m.EntityId} is being forgotten; retry")));
        Command<PeerStop>(_ => { });
        Command<FlushTick>(_ => { });
        Command<IdleCheck>(_ => { });
        Command<object>(_ => { });
    }

    // ------------------------------------------------------------------ handling

    /// <summary>Null when <paramref name="m"/> may be handled here, else the rejection (bad id, or misrouted).</summary>
    private CommandRejected? AddressError(IPeerMessage m)
    {
        if (_idError is not null)
        {
            var field = m is RecordBytes { PeerId: null or "" } ? "sessionId" : _idError.Field;
            return new CommandRejected(m.EntityId, ErrorCodes.InvalidInput, field, $"{field}: {_idError.Message}");
        }
        if (!string.Equals(m.EntityId, _entityId, StringComparison.Ordinal))
            return new CommandRejected(m.EntityId, ErrorCodes.InvalidInput, "peerId",
                $"message for peer '{m.EntityId}' delivered to the actor of '{_entityId}'");
        return null;
    }

    private bool CheckAddressed(IPeerMessage m)
    {
        if (AddressError(m) is not { } rejection) return true;
        Reply(Sender, rejection);
        return false;
    }

    private static void ValidateInstant(DateTimeOffset at)
    {
        Guard.ObservationInstant(at, "observedAt");
    }

    private void OnHighRate(IPeerObservation m) =>
        Reply(Sender, ApplyHighRate(m) ?? (object)new CommandAck(_entityId, Durability.HighRate));

    /// <summary>Validates, then applies a high-rate observation (validation precedes mutation). Null when applied.</summary>
    private CommandRejected? ApplyHighRate(IPeerObservation m)
    {
        if (AddressError(m) is { } bad) return bad;
        try
        {
            ValidateInstant(m.ObservedAt);
            ValidateHighRate(m);
        }
        catch (InvalidInputException e)
        {
            return Invalid(e);
        }
        var created = !_state.Exists;
        var stats = _state.EnsureCreated(_peerId, m.ObservedAt);
        if (created) _scoreDirty = true;
        switch (m)
        {
            case RecordRequest q:
                stats.RecordRequest(q.Bytes);
                _requests++;
                _scoreDirty = true;
                break;
            case RecordSuccess k:
                stats.RecordSuccess(k.RttMs, k.Bytes, k.ObservedAt);
                _successes++;
                _scoreDirty = true;
                break;
            case RecordTimeout t:
                stats.RecordTimeout(t.ObservedAt);
                _timeouts++;
                _scoreDirty = true;
                break;
            case RecordFailure f:
                stats.RecordFailure(f.ObservedAt);
                _failures++;
                _scoreDirty = true;
                break;
            case RecordBytes b:
                _state.Bandwidth.Record(b.Direction, b.Bytes, b.ObservedAt);
                if (b.Direction == TrafficDirection.Ingress)
                {
                    _ingress += b.Bytes;
                    PeerActorsMetrics.IngressBytes.Add(b.Bytes);
                }
                else
                {
                    _egress += b.Bytes;
                    PeerActorsMetrics.EgressBytes.Add(b.Bytes);
                }
                UpdateBytesCell();
                break;
            case PeerOnline on:
                _state.Log.OnlineEvent(true, on.ObservedAt);
                _online++;
                break;
            case PeerOffline off:
                _state.Log.OnlineEvent(false, off.ObservedAt);
                _offline++;
                break;
            case PeerServes v:
                var changed = v.Protocol is not null && _state.AddProtocol(v.Protocol);
                changed |= v.Service is not null && _state.AddService(v.Service);
                if (changed) _scoreDirty = true;
                _serves++;
                break;
        }
        PeerActorsMetrics.IngestEvents.Add(1);
        MarkPending(m.ObservedAt);
        return null;
    }

    private void ValidateHighRate(IPeerObservation m)
    {
        switch (m)
        {
            case RecordRequest q:
                Guard.NonNegative(q.Bytes, "bytes");
                break;
            case RecordSuccess k:
                Guard.FiniteNonNegative(k.RttMs, "rttMs");
                Guard.NonNegative(k.Bytes, "bytes");
                break;
            case RecordBytes b:
                if (b.Direction is not (TrafficDirection.Ingress or TrafficDirection.Egress))
                    throw new InvalidInputException("direction", $"unknown direction {(int)b.Direction}");
                Guard.NonNegative(b.Bytes, "bytes");
                if (b.Bytes > long.MaxValue - _state.Bandwidth.Total(b.Direction)) // refused, not saturated: totals stay exact
                    throw new InvalidInputException("bytes", $"{b.Bytes} would take the peer's {b.Direction} total past {long.MaxValue}");
                break;
            case PeerServes v:
                if (v.Protocol is null && v.Service is null)
                    throw new InvalidInputException("protocol", "a protocol or a service is required");
                if (v.Protocol is not null && PeerId.Validate(v.Protocol) is { } pe) throw new InvalidInputException("protocol", pe);
                if (v.Service is not null && PeerId.Validate(v.Service) is { } se) throw new InvalidInputException("service", se);
                break;
            case RecordTimeout or RecordFailure or PeerOnline or PeerOffline:
                break;
            default:
                throw new InvalidInputException("type", $"{m.GetType().Name} is not a high-rate observation");
        }
    }

    private void OnCritical(IPeerObservation m)
    {
        var replyTo = Sender;
        if (PrepareCritical(m, null, out var e) is { } rejection)
        {
            Reply(replyTo, rejection);
            return;
        }
        _criticalReplyTo = replyTo;
        PersistCritical(e!, () =>
        {
            _criticalReplyTo = null;
            Reply(replyTo, new CommandAck(_entityId, Durability.Critical));
        });
    }

    /// <summary>Validates a critical command against the state and builds its event (null rejection), or the rejection.</summary>
    private CommandRejected? PrepareCritical(IPeerObservation m, DeliveryMark? key, out IPeerEvent? e)
    {
        e = null;
        if (AddressError(m) is { } bad) return bad;
        try
        {
            ValidateInstant(m.ObservedAt);
            var at = m.ObservedAt.ToUniversalTime();
            NoteActivity(at);
            switch (m)
            {
                case RecordPayment p:
                    Guard.NonNegative(p.AmountSat, "amountSat");
                    e = new PaymentRecorded(p.AmountSat, at, key);
                    break;
                case RecordReceipt r:
                    Guard.NonNegative(r.AmountSat, "amountSat");
                    e = new ReceiptRecorded(r.AmountSat, at, key);
                    break;
                case RecordPaymentDefault:
                    e = new PaymentDefaultRecorded(at, key);
                    break;
                case OpenChannel o:
                    ChannelId.Parse(o.ChannelId);
                    if (_state.Log.Channels.ContainsKey(o.ChannelId))
                        return new CommandRejected(_entityId, ErrorCodes.ChannelExists, "channelId", $"channel already present: {o.ChannelId}");
                    e = new ChannelOpened(o.ChannelId, at, key);
                    break;
                case Ban b:
                    var ban = Core.Bans.PeerBan.Create(b.ObservedAt, b.Until, b.Duration, b.Reason);
                    e = new PeerBanned(ban.Until, ban.Reason, ban.BannedAt);
                    break;
                case Unban:
                    e = new PeerUnbanned(at);
                    break;
                case CloseChannel c:
                    ChannelId.Parse(c.ChannelId);
                    if (!_state.Exists) return new CommandRejected(_entityId, ErrorCodes.PeerNotFound, null, $"peer not found in event store: {_entityId}");
                    if (!_state.Log.Channels.ContainsKey(c.ChannelId))
                        return new CommandRejected(_entityId, ErrorCodes.ChannelNotFound, "channelId", $"channel not found in event store: {c.ChannelId}");
                    e = new ChannelClosed(c.ChannelId, at, key);
                    break;
                default:
                    return new CommandRejected(_entityId, ErrorCodes.InvalidInput, "type", $"{m.GetType().Name} is not a critical command");
            }
            return null;
        }
        catch (InvalidInputException ex)
        {
            return Invalid(ex);
        }
    }

    /// <summary>Persists a critical event, after the unflushed window in the same atomic write, then runs <paramref name="then"/>.</summary>
    private void PersistCritical(IPeerEvent critical, Action then)
    {
        var batch = new List<IPeerEvent>(2);
        if (_pending) batch.Add(TakeFlushEvent());
        batch.Add(critical);
        var writeStarted = PeerActorsMetrics.JournalWriteStarted();
        PersistAll(batch, e =>
        {
            if (ReferenceEquals(e, critical)) PeerActorsMetrics.JournalWriteCompleted(writeStarted);
            if (e is IFlushEvent f)
            {
                OnMarksPersisted(f.Deliveries);
                AfterPersisted();
                return;
            }
            _state.Apply(_peerId, e);
            _state.ResetWindow(); // the critical event's own effects (e.g. a commit by addChannel) are persisted by it
            if (e is IDeliveredEvent { Delivery: { } key }) _inbox.Persisted(key);
            PeerActorsMetrics.IngestEvents.Add(1);
            AfterPersisted();
            PublishScoreInputs();
            then();
            // Optional auto-ban (lnd-style policy, off by default): decided once the default is persisted and applied;
            // the ban itself is an ordinary critical Ban.
            if (e is PaymentDefaultRecorded d && _settings.AutoBan is { } policy && _state.Stats is { } st
                && policy.Decide(st.ToState(), _state.Ban, d.ObservedAt) is { } autoBan)
                Self.Tell(new Ban(_entityId, autoBan.Until, null, autoBan.Reason, d.ObservedAt), ActorRefs.NoSender);
        });
    }

    // ------------------------------------------------------------------ reliable delivery (PeerDeliveryProducer)

    private void OnBatch(ObservationBatch b)
    {
        if (b.Items.Count == 0) return;
        var admission = _inbox.Admit(b.ProducerId, b.Producer, b.FirstSeqNr, b.ConfirmedSeqNr, b.Items.Count);
        if (admission.IsGap)
        {
            SendAck(b.ProducerId, admission.ResendFrom, null);
            return;
        }
        if (admission.Skip > 0) PeerActorsMetrics.DeliveryDuplicates.Add(admission.Skip);
        ContinueBatch(b, admission.Skip, null, ackNow: admission.Skip > 0);
    }

    /// <summary>
    /// Applies the items of <paramref name="b"/> from <paramref name="index"/> on, in order. A critical item is persisted
    /// (with the window before it) and the rest of the batch continues in its persist handler, so state and journal keep
    /// the producer's order.
    /// </summary>
    private void ContinueBatch(ObservationBatch b, int index, List<ItemRejection>? rejections, bool ackNow)
    {
        for (; index < b.Items.Count; index++)
        {
            var item = b.Items[index];
            var seq = b.FirstSeqNr + index;
            ackNow |= item.ReplyRequested;
            CommandRejected? rejection;
            if (DeliveryOutbox<IActorRef>.IsCritical(item.Observation))
            {
                var key = new DeliveryMark(b.ProducerId, seq);
                rejection = PrepareCritical(item.Observation, key, out var e);
                if (rejection is null)
                {
                    var next = index + 1;
                    var kept = rejections;
                    PersistCritical(e!, () => ContinueBatch(b, next, kept, ackNow: true));
                    return;
                }
            }
            else
            {
                rejection = ApplyHighRate(item.Observation);
            }
            if (rejection is not null && item.ReplyRequested) (rejections ??= []).Add(new ItemRejection(seq, rejection));
            _inbox.Applied(b.ProducerId, seq);
        }
        // Marks of rejected items must reach the journal too, or the producer would resend them forever.
        if (_inbox.HasWindow && !_pending) MarkPending(null);
        if (ackNow || rejections is not null) SendAck(b.ProducerId, 0, rejections);
    }

    private void SendAck(string producerId, long resendFrom, List<ItemRejection>? rejections)
    {
        if (_inbox.Get(producerId) is not { Ref: { } to } marks) return;
        to.Tell(new DeliveryAck(_entityId, producerId, marks.Applied, marks.Persisted, resendFrom,
            rejections is null ? [] : rejections), Self);
    }

    /// <summary>A flush carrying <paramref name="marks"/> is in the journal: the producers may forget those items.</summary>
    private void OnMarksPersisted(IReadOnlyList<DeliveryMark>? marks)
    {
        if (marks is null) return;
        foreach (var mark in marks)
        {
            if (_inbox.Persisted(mark) is not { Ref: { } to } m) continue;
            to.Tell(new DeliveryAck(_entityId, m.ProducerId, m.Applied, m.Persisted, 0, []), Self);
        }
    }

    private void RecoverMarks(IPeerEvent e)
    {
        switch (e)
        {
            case IFlushEvent { Deliveries: { } marks }:
                foreach (var m in marks) _inbox.Recover(m);
                break;
            case IDeliveredEvent { Delivery: { } key }:
                _inbox.Recover(key);
                break;
        }
    }

    private void Query(IPeerMessage m, Func<object> answer)
    {
        if (!CheckAddressed(m)) return;
        if (!_state.Exists)
        {
            Reply(Sender, new CommandRejected(_entityId, ErrorCodes.PeerNotFound, null, $"peer not found in event store: {_entityId}"));
            return;
        }
        try
        {
            Reply(Sender, answer());
        }
        catch (ChannelNotFoundException e)
        {
            Reply(Sender, new CommandRejected(_entityId, ErrorCodes.ChannelNotFound, "channelId", e.Message));
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
            _forgetDeleteTo = LastSequenceNr;
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
        Reply(_forgetReplyTo, new CommandRejected(_entityId, ErrorCodes.PersistenceFailure, null, $"forget failed: {cause.Message}"));
        Context.Stop(Self); // the next incarnation recovers whatever is still stored
    }

    private void RejectInvalid(InvalidInputException e) => Reply(Sender, Invalid(e));

    private CommandRejected Invalid(InvalidInputException e) => new(_entityId, ErrorCodes.InvalidInput, e.Field, e.Message);

    private void Reply(IActorRef? to, object message)
    {
        if (to is null || to.IsNobody() || to.Equals(Context.System.DeadLetters)) return;
        to.Tell(message);
    }

    // ------------------------------------------------------------------ observation-clock passivation

    /// <summary>Records data-time activity: the peer's own idle reference, and the node's observation clock.</summary>
    private void NoteActivity(DateTimeOffset at)
    {
        if (at > _lastActivityAt) _lastActivityAt = at;
        _settings.PassivationClock?.Advance(at);
    }

    private void ScheduleIdleCheck()
    {
        // Wall-clock idle passivation is Cluster.Sharding's; this check exists only with an observation clock (a replay).
        if (_settings.PassivationClock is null || _passivationRequested) return;
        Timers.StartSingleTimer(IdleTimerKey, IdleCheck.Instance, _settings.PassivationCheckInterval);
    }

    /// <summary>
    /// Asks the shard to passivate this entity when it is offline and saw no observation for
    /// <see cref="PeerActorSettings.PassivationIdleTimeout"/> of data time. The shard answers with <see cref="PeerStop"/>, which flushes (and snapshots) before stopping, and buffers
    /// messages that arrive meanwhile for the next incarnation, so nothing is lost. Not while a critical write awaits its ack.
    /// </summary>
    private void OnIdleCheck()
    {
        var clock = _settings.PassivationClock;
        if (clock is null || _passivationRequested) return;
        // An online peer (in a session the data has not ended yet) is active even without observations: its offline is due.
        if (_criticalReplyTo is null && !_state.Log.Online && clock.IsIdle(_lastActivityAt, _settings.PassivationIdleTimeout))
        {
            _passivationRequested = true;
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PeerStop.Instance));
            return;
        }
        ScheduleIdleCheck();
    }

    /// <summary>Self-message of the observation-clock idle check (local timer only, never serialized).</summary>
    private sealed class IdleCheck
    {
        public static readonly IdleCheck Instance = new();
    }

    // ------------------------------------------------------------------ flushing

    /// <summary>Opens or widens the unflushed window; null = only delivery marks changed (the window keeps the last instant).</summary>
    private void MarkPending(DateTimeOffset? observedAt)
    {
        var at = observedAt?.ToUniversalTime() ?? (_pending ? _to : _lastObservedAt);
        if (observedAt is not null)
        {
            _lastObservedAt = at;
            NoteActivity(at);
        }
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

    /// <summary>The window as a delta event (its size follows activity), or the whole state when it cannot be a delta.</summary>
    private IFlushEvent TakeFlushEvent()
    {
        var counts = new ObservationCounts(_requests, _successes, _timeouts, _failures, _ingress, _egress, _online, _offline, _serves);
        var marks = _inbox.HasWindow ? _inbox.TakeWindow() : null;
        IFlushEvent e = !_state.Exists
            ? new ObservationsDelta(_from, _to, counts, null, marks) // only delivery marks (every item was rejected)
            : _state.TakeWindow() is { } window
                ? new ObservationsDelta(_from, _to, counts, window, marks)
                : new ObservationsFlushed(_from, _to, counts, _state.ToData(), marks);
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
        var writeStarted = PeerActorsMetrics.JournalWriteStarted();
        _asyncFlushesInFlight++;
        PersistAsync(flush, _ =>
        {
            _asyncFlushesInFlight--;
            PeerActorsMetrics.JournalWriteCompleted(writeStarted);
            OnMarksPersisted(flush.Deliveries);
            AfterPersisted();
            if (publish) PublishScoreInputs();
            if (_stopWhenFlushed && _asyncFlushesInFlight == 0) SnapshotAndStop();
        });
    }

    private void StopAfterFlush()
    {
        if (!_pending)
        {
            // After the handlers of flushes still in flight (PersistAsync): a snapshot taken before them would carry their
            // changes under an older sequence number, and recovery would apply those events a second time.
            // (Not DeferAsync: Akka.Persistence.Sql fails a write batch that holds only the deferred no-op.)
            if (_asyncFlushesInFlight > 0)
            {
                _stopWhenFlushed = true;
                return;
            }
            SnapshotAndStop();
            return;
        }
        var publish = _scoreDirty;
        _scoreDirty = false;
        var writeStarted = PeerActorsMetrics.JournalWriteStarted();
        Persist(TakeFlushEvent(), f =>
        {
            PeerActorsMetrics.JournalWriteCompleted(writeStarted);
            OnMarksPersisted(f.Deliveries);
            AfterPersisted();
            if (publish) PublishScoreInputs();
            SnapshotAndStop();
        });
    }

    /// <summary>
    /// On stop: a snapshot of the state if enough events were persisted since the last one, then stop once it is stored
    /// and the history it covers is deleted (<see cref="StoppingAfterSnapshot"/>); a save already in flight is awaited
    /// the same way. Without a snapshot to wait for, stops at once.
    /// </summary>
    private void SnapshotAndStop()
    {
        if (!_snapshotInFlight && _settings.SnapshotOnStop && _eventsSinceSnapshot >= _settings.SnapshotOnStopMinEvents && _state.Exists)
        {
            _eventsSinceSnapshot = 0;
            _snapshotInFlight = true;
            SaveSnapshot(new PeerSnapshot(_state.ToData(), _state.Ban, _inbox.Snapshot()));
        }
        if (!_snapshotInFlight)
        {
            Context.Stop(Self);
            return;
        }
        Timers.StartSingleTimer(StopTimerKey, StopWaitExpired.Instance, StopWaitTimeout);
        Become(StoppingAfterSnapshot);
    }

    private void AfterPersisted()
    {
        if (++_eventsSinceSnapshot < _settings.SnapshotEvery || !_state.Exists) return;
        _eventsSinceSnapshot = 0;
        _snapshotInFlight = true;
        SaveSnapshot(new PeerSnapshot(_state.ToData(), _state.Ban, _inbox.Snapshot()));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess s)
    {
        _snapshotInFlight = false;
        DeleteCoveredHistory(s.Metadata.SequenceNr, stopping: false);
    }

    /// <summary>
    /// After the snapshot at <paramref name="seq"/> is stored: deletes every older snapshot (criteria up to
    /// <paramref name="seq"/>−1, so leftovers of earlier incarnations go too) and, with
    /// <see cref="PeerActorSettings.DeleteEventsOnSnapshot"/>, the events 1 … <paramref name="seq"/>−1 (event
    /// <paramref name="seq"/> stays so that the journal's readers keep seeing the peer). When
    /// <paramref name="stopping"/>, records the deletions to await before stopping.
    /// </summary>
    private void DeleteCoveredHistory(long seq, bool stopping)
    {
        if (_lastSnapshotSeqNr > 0 && _lastSnapshotSeqNr < seq)
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(seq - 1, DateTime.MaxValue));
            if (stopping) _stopSnapshotsDeleteTo = seq - 1;
        }
        if (_settings.DeleteEventsOnSnapshot && seq > 1)
        {
            DeleteMessages(seq - 1);
            if (stopping) _stopEventsDeleteTo = seq - 1;
        }
        if (seq > _lastSnapshotSeqNr) _lastSnapshotSeqNr = seq;
    }

    private void PublishScoreInputs()
    {
        if (!_state.Exists) return;
        _scoreDirty = false;
        _publisher.Publish(new PeerScoreInputs(_state.Stats!.ToState(), LastSequenceNr, _state.Protocols.ToArray(), _state.Services.ToArray(),
            BannedUntil: _state.Ban?.Until, BanReason: _state.Ban?.Reason));
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
            Reply(to, new CommandRejected(_entityId, ErrorCodes.PersistenceFailure, null, $"journal write failed: {cause.Message}"));
            _criticalReplyTo = null;
        }
        base.OnPersistFailure(cause, @event, sequenceNr); // logs; the actor then stops
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        if (_criticalReplyTo is { } to)
        {
            Reply(to, new CommandRejected(_entityId, ErrorCodes.PersistenceFailure, null, $"journal rejected the event: {cause.Message}"));
            _criticalReplyTo = null;
        }
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>
    /// One error naming what an operator needs to find the bad row: the persistence id, the last sequence number
    /// applied, and the cause, whose message names the stored payload's manifest when the payload could not be read
    /// (PeerSerializer). Akka's default says "when replaying events" even for an unreadable snapshot, and buries the
    /// manifest in the exception. The actor then stops (Akka.Persistence's rule); messages sent to it meanwhile become
    /// dead letters, and each new incarnation fails the same way until the payload is repaired or deleted.
    /// </summary>
    /// <param name="reason">Why recovery failed (a journal or snapshot-store failure, or an exception of the recovery handler).</param>
    /// <param name="message">The event being applied when the recovery handler threw, else null.</param>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error(reason, "{0}", DescribeRecoveryFailure(PersistenceId, LastSequenceNr, reason, message));
    }

    /// <summary>The text of <see cref="OnRecoveryFailure"/>.</summary>
    /// <param name="persistenceId">The actor's persistence id.</param>
    /// <param name="lastSequenceNr">The last sequence number applied.</param>
    /// <param name="reason">The failure.</param>
    /// <param name="message">The event being applied, if the failure came from applying it.</param>
    /// <returns>One line.</returns>
    internal static string DescribeRecoveryFailure(string persistenceId, long lastSequenceNr, Exception reason, object? message)
    {
        // Stores may wrap the serializer's error; its message is the one naming the manifest.
        Exception? unreadable = null;
        for (var e = reason; e is not null; e = e.InnerException)
            if (e is System.Runtime.Serialization.SerializationException) { unreadable = e; break; }
        var where = message is null
            ? $"reading its stored snapshot or events after sequence number {lastSequenceNr}"
            : $"applying {message.GetType().Name} at sequence number {lastSequenceNr}";
        // A payload that cannot be read or applied stays bad; a store that failed (I/O, a full disk, a lost database)
        // may work again, and the peer recovers on its next message.
        var outcome = unreadable is not null || message is not null
            ? "The peer actor stopped; it cannot serve until that stored payload is repaired or deleted."
            : "The peer actor stopped; it recovers again on its next message once the store answers.";
        return $"{RecoveryFailedText} '{persistenceId}' failed while {where}: {(unreadable ?? reason).Message} {outcome}";
    }

    /// <summary>How every recovery-failure line of a peer actor starts (log watchers key on it).</summary>
    internal const string RecoveryFailedText = "Recovery of persistence id";

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    /// <summary>Self-message: <see cref="StopWaitTimeout"/> passed while stopping after a snapshot (local timer only).</summary>
    private sealed class StopWaitExpired
    {
        public static readonly StopWaitExpired Instance = new();
    }

}
