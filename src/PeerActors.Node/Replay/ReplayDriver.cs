using System.Diagnostics;
using PeerActors.Core.Bandwidth;
using PeerActors.Peers;
using Cmd = PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary>Settings of a <see cref="ReplayDriver"/>.</summary>
public sealed record ReplayDriverOptions
{
    /// <summary>
    /// Pacing: null = as fast as possible (default); N &gt; 0 = N× real time, i.e. a step at trace time <c>t</c> is sent
    /// no earlier than <c>(t − first step time) / N</c> of wall time after the start. Observations always carry the
    /// trace's timestamps, never the wall clock.
    /// </summary>
    public double? Speed { get; init; }

    /// <summary>
    /// Backpressure: after every this many steps a barrier query is asked of the peer touched last; its reply means
    /// the shard region has routed everything sent before it. Default 4096.
    /// </summary>
    public int BarrierEvery { get; init; } = 4096;

    /// <summary>
    /// At most this many barrier queries are outstanding; the driver waits for the oldest beyond it. Default 4: the driver
    /// may run up to 4 × <see cref="BarrierEvery"/> steps ahead of the peer actors, so that a step whose peer waits on the
    /// journal (a recovery, a critical write) does not leave the node idle while the driver waits.
    /// </summary>
    public int MaxBarriersInFlight { get; init; } = 4;

    /// <summary>
    /// At a barrier the driver also waits until at most this many observations await their peer's persisted ack
    /// (<see cref="IReplayPeers.DrainAsync"/>): bounds the reliable-delivery buffer. Default 200,000.
    /// </summary>
    public long MaxUnconfirmed { get; init; } = 200_000;

    /// <summary>
    /// At most this many critical commands (<see cref="OpenChannel"/>) await their ack at once. Default 4096. An ack
    /// follows the peer's journal write (and its recovery, for a peer not alive), which takes 0.25–0.5 s on SQLite while
    /// a replay loads the node; by Little's law 256 in flight capped a replay at ~500–1,000 new channels per second, and
    /// the driver spent 56 of 61 s of a real day waiting for acks (<see cref="ReplayDriverWaits.CriticalAcksSeconds"/>).
    /// </summary>
    public int MaxCriticalInFlight { get; init; } = 4096;

    /// <summary>
    /// Whether each sender gets a synthetic endpoint address for the limits' per-subnet check: the k-th distinct sender
    /// (in trace order, k from 0) gets 198.18.0.0 + k (RFC 2544 benchmarking range, not loopback; distinct per sender up to
    /// 131,072 senders, null beyond). The driver keeps an int per sender for it (indexed by
    /// <see cref="ReplayTotals.SenderIndexOf"/>), not an address. Default true; false = null endpoints (no subnet limit).
    /// </summary>
    public bool SyntheticEndpoints { get; init; } = true;

    /// <summary>Wall clock for pacing, elapsed time and progress. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Reads how many peer actors are alive (e.g. <c>PeerActorsMetrics.LivePeerActors</c>); sampled at every barrier for
    /// <see cref="ReplayDriveResult.LivePeerActorsMax"/>. Null (default) = not sampled.
    /// </summary>
    public Func<long>? LivePeerActors { get; init; }

    /// <summary>
    /// Reads the process's memory (e.g. <see cref="ReplayMemorySample.Current"/>); sampled once per input file, when its last
    /// session closes, for <see cref="ReplayFileDrive.Memory"/>. Null (default) = not sampled.
    /// </summary>
    public Func<ReplayMemorySample>? Memory { get; init; }

    /// <summary>Minimum wall time between two progress callbacks. Default 250 ms.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Checks the values.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public ReplayDriverOptions Validate()
    {
        if (Speed is { } s && (!double.IsFinite(s) || s <= 0))
            throw new ArgumentOutOfRangeException(nameof(Speed), s, "must be a finite number > 0 (or null for maximum speed)");
        ArgumentOutOfRangeException.ThrowIfLessThan(BarrierEvery, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBarriersInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCriticalInFlight, 1);
        ArgumentNullException.ThrowIfNull(Clock);
        return this;
    }
}

/// <summary>Progress of a running replay (for <see cref="ReplayProgress.Format(long, long, long, ReplayRateWindow)"/>).</summary>
/// <param name="SessionsDone">Sessions closed so far.</param>
/// <param name="SessionsTotal">Sessions in the plan.</param>
/// <param name="Events">Steps sent so far.</param>
/// <param name="Elapsed">Wall time since the replay started.</param>
public sealed record ReplayProgressState(long SessionsDone, long SessionsTotal, long Events, TimeSpan Elapsed);

/// <summary>What a <see cref="ReplayDriver"/> sent of one input file.</summary>
/// <param name="Events">Steps of its sessions.</param>
/// <param name="SessionsClosed">Its sessions closed.</param>
/// <param name="Chunks">Its chunk steps.</param>
/// <param name="ChunkBytes">Σ bytes of its chunk steps.</param>
public sealed record ReplayFileDrive(long Events, int SessionsClosed, long Chunks, Int128 ChunkBytes)
{
    /// <summary>The process's memory when the file's last session closed (null when not sampled or not reached).</summary>
    public ReplayMemorySample? Memory { get; init; }
}

/// <summary>What a <see cref="ReplayDriver"/> sent and what came back.</summary>
/// <param name="Events">Steps processed.</param>
/// <param name="SessionsOpened">SessionOpened steps.</param>
/// <param name="SessionsClosed">SessionClosed steps.</param>
/// <param name="Chunks">ChunkTransferred steps (each = RecordRequest + RecordSuccess + RecordBytes).</param>
/// <param name="ChunkBytes">Σ bytes of the chunk steps (ingress sent to the peer actors; 128-bit, cannot overflow).</param>
/// <param name="PeerOnlineEvents">PeerOnline steps.</param>
/// <param name="PeerOfflineEvents">PeerOffline steps.</param>
/// <param name="ChannelsOpened">OpenChannel commands acknowledged (persisted).</param>
/// <param name="ChannelsAlreadyOpen">OpenChannel refused with <c>channel already exists</c> (history from an earlier run).</param>
/// <param name="LimitBlocks">Sessions whose connection or stream a limit refused, by refusing scope class.</param>
/// <param name="Rejections">Other rejected critical commands.</param>
/// <param name="FirstRejections">The first few rejection messages.</param>
/// <param name="Elapsed">Wall time of the replay (from the first step to the last ack).</param>
/// <param name="PerFile">Per file of <see cref="ReplayPlan.Files"/>, same order.</param>
public sealed record ReplayDriveResult(
    long Events,
    int SessionsOpened,
    int SessionsClosed,
    long Chunks,
    Int128 ChunkBytes,
    long PeerOnlineEvents,
    long PeerOfflineEvents,
    int ChannelsOpened,
    int ChannelsAlreadyOpen,
    IReadOnlyDictionary<string, long> LimitBlocks,
    long Rejections,
    IReadOnlyList<string> FirstRejections,
    TimeSpan Elapsed,
    IReadOnlyList<ReplayFileDrive> PerFile)
{
    /// <summary>Most peer actors alive at once, sampled at the barriers (null when <see cref="ReplayDriverOptions.LivePeerActors"/> is not set).</summary>
    public long? LivePeerActorsMax { get; init; }

    /// <summary>Events per second of wall time (0 when no time elapsed).</summary>
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;

    /// <summary>Where the driver waited instead of sending (wall time); all zero when it never waited.</summary>
    public ReplayDriverWaits Waits { get; init; } = new();
}

/// <summary>
/// Wall time (seconds) the <see cref="ReplayDriver"/> spent waiting, by what it waited for: it tells whether the driver or the
/// node bounds a replay. Mostly <see cref="BarriersSeconds"/> = the node's peer actors (and their journal) are the bottleneck;
/// mostly <see cref="CriticalAcksSeconds"/> or <see cref="LimitsSeconds"/> = round trips of single requests are.
/// </summary>
public sealed record ReplayDriverWaits
{
    /// <summary>Waiting for <see cref="OpenChannel"/> acks beyond <see cref="ReplayDriverOptions.MaxCriticalInFlight"/>.</summary>
    public double CriticalAcksSeconds { get; init; }

    /// <summary>Waiting for the limits' answers (each session's opens, awaited in trace order, and its close).</summary>
    public double LimitsSeconds { get; init; }

    /// <summary>Waiting for barrier replies beyond <see cref="ReplayDriverOptions.MaxBarriersInFlight"/>.</summary>
    public double BarriersSeconds { get; init; }

    /// <summary>Waiting at barriers for the reliable-delivery buffer to drain to <see cref="ReplayDriverOptions.MaxUnconfirmed"/>.</summary>
    public double DrainSeconds { get; init; }

    /// <summary>Waiting at the end for every ack, barrier and persisted observation.</summary>
    public double FinalSeconds { get; init; }
}

/// <summary>
/// Sends a <see cref="ReplayPlan"/> to the peer actors and the limits, step by step in trace order:
/// <list type="bullet">
/// <item><see cref="PeerOnline"/> / <see cref="PeerOffline"/> → <see cref="Cmd.PeerOnline"/> / <see cref="Cmd.PeerOffline"/> (Tell).</item>
/// <item><see cref="ChannelOpened"/> → <see cref="OpenChannel"/> (Ask; critical: the ack, sent after the event is persisted, is
/// awaited — pipelined, at most <see cref="ReplayDriverOptions.MaxCriticalInFlight"/> at once; <c>channel already exists</c>
/// counts as already open).</item>
/// <item><see cref="SessionOpened"/> → limits: OpenConnection(inbound, endpoint) + SetPeer(sender) + OpenStream(sender, inbound) +
/// SetProtocol + SetService (awaited, in trace order); a refusal is ours, not the sender's: it is counted by scope class
/// and not recorded against the sender (no <see cref="RecordFailure"/>; the trace's chunks are still replayed: the data
/// says they were transferred); then
/// <see cref="PeerServes"/>(sender, protocol, service).</item>
/// <item><see cref="ChunkTransferred"/> → <see cref="RecordRequest"/>(sender, 0 bytes) + <see cref="RecordSuccess"/>(sender, rtt, bytes)
/// + <see cref="RecordBytes"/>(sender, ingress, bytes) (Tell).</item>
/// <item><see cref="SessionClosed"/> → close stream and connection.</item>
/// </list>
/// All messages come from one thread, so each peer sees its observations in trace order. Backpressure: a barrier query
/// every <see cref="ReplayDriverOptions.BarrierEvery"/> steps, at most <see cref="ReplayDriverOptions.MaxBarriersInFlight"/>
/// outstanding.
/// </summary>
public sealed class ReplayDriver
{
    private const int MaxKeptRejections = 10;
    private readonly IReplayPeers _peers;
    private readonly IReplayLimits _limits;
    private readonly ReplayDriverOptions _options;

    /// <summary>Creates a driver.</summary>
    /// <param name="peers">The peer actors.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="options">Settings (validated here); null = defaults.</param>
    public ReplayDriver(IReplayPeers peers, IReplayLimits limits, ReplayDriverOptions? options = null)
    {
        _peers = peers ?? throw new ArgumentNullException(nameof(peers));
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _options = (options ?? new ReplayDriverOptions()).Validate();
    }

    /// <summary>Replays every step of <paramref name="plan"/> and waits for every critical ack and barrier.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="progress">Called at most every <see cref="ReplayDriverOptions.ProgressInterval"/>, and once at the end.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>Counts.</returns>
    public async Task<ReplayDriveResult> RunAsync(ReplayPlan plan, Action<ReplayProgressState>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var clock = _options.Clock;
        var start = clock.GetTimestamp();
        var lastProgress = start;
        var sessionsTotal = plan.SessionCount;
        var fileEvents = new long[plan.Files.Count];
        var fileClosed = new int[plan.Files.Count];
        var fileChunks = new long[plan.Files.Count];
        var fileBytes = new Int128[plan.Files.Count];
        var fileMemory = new ReplayMemorySample?[plan.Files.Count];
        // Steps come session by session in runs; remembering the last session's file avoids most lookups.
        int lastSession = -1, file = 0;
        // By sender index: 1 + the sender's rank of first session in trace order (0 = not seen yet).
        var endpoints = _options.SyntheticEndpoints ? new int[plan.Totals.DistinctSenders] : [];
        var sendersSeen = 0;
        var open = new Dictionary<int, object>();
        var blocks = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var critical = new Queue<Task<object>>();
        var barriers = new Queue<Task<object>>();
        var firstRejections = new List<string>();
        long events = 0, chunks = 0, online = 0, offline = 0, rejections = 0;
        int opened = 0, closed = 0, channelsOpened = 0, channelsExisting = 0;
        DateTimeOffset? t0 = null;
        long? liveMax = null;
        // 128-bit: two senders of 2^63−1 bytes each must not wrap.
        Int128 chunkBytes = 0;
        long waitCritical = 0, waitLimits = 0, waitBarriers = 0, waitDrain = 0, waitFinal = 0;

        void Critical(object reply)
        {
            switch (reply)
            {
                case CommandAck:
                    channelsOpened++;
                    break;
                case CommandRejected { Error: ErrorCodes.ChannelExists }:
                    channelsExisting++;
                    break;
                case CommandRejected r:
                    rejections++;
                    if (firstRejections.Count < MaxKeptRejections) firstRejections.Add($"{r.PeerId}: {r.Error}: {r.Message}");
                    break;
                default:
                    rejections++;
                    if (firstRejections.Count < MaxKeptRejections) firstRejections.Add($"unexpected reply {reply.GetType().Name}");
                    break;
            }
        }

        foreach (var step in plan.Steps)
        {
            ct.ThrowIfCancellationRequested();
            if (_options.Speed is { } speed)
            {
                t0 ??= step.At;
                var due = TimeSpan.FromTicks((long)((step.At - t0.Value).Ticks / speed));
                var wait = due - clock.GetElapsedTime(start);
                if (wait > TimeSpan.FromMilliseconds(1))
                    await Task.Delay(wait, clock, ct).ConfigureAwait(false);
            }

            if (step.SessionIndex != lastSession)
            {
                lastSession = step.SessionIndex;
                file = plan.FileOf(lastSession);
            }
            fileEvents[file]++;
            string touched;
            switch (step)
            {
                case PeerOnline p:
                    _peers.Tell(new Cmd.PeerOnline(p.PeerId, p.At));
                    touched = p.PeerId;
                    online++;
                    break;
                case ChannelOpened c:
                    critical.Enqueue(_peers.AskAsync(new OpenChannel(c.SenderId, c.ChannelId, c.At), ct));
                    if (critical.Count > _options.MaxCriticalInFlight)
                    {
                        var waited = clock.GetTimestamp();
                        while (critical.Count > _options.MaxCriticalInFlight)
                            Critical(await critical.Dequeue().ConfigureAwait(false));
                        waitCritical += clock.GetTimestamp() - waited;
                    }
                    touched = c.SenderId;
                    break;
                case SessionOpened s:
                {
                    var waited = clock.GetTimestamp();
                    var outcome = await _limits.OpenSessionAsync(s.SenderId, EndpointOf(plan.Totals, endpoints, ref sendersSeen, s.SenderId), s.Protocol, s.Service, ct)
                        .ConfigureAwait(false);
                    waitLimits += clock.GetTimestamp() - waited;
                    if (outcome.Session is { } handle) open[s.SessionIndex] = handle;
                    // Our own refusal, not the sender's fault: counted here, never recorded against its reputation.
                    if (outcome.Refusal is { } refusal)
                        blocks[refusal.ScopeClass] = blocks.GetValueOrDefault(refusal.ScopeClass) + 1;
                    _peers.Tell(new PeerServes(s.SenderId, s.Protocol, s.Service, s.At));
                    touched = s.SenderId;
                    opened++;
                    break;
                }
                case ChunkTransferred k:
                    _peers.Tell(new RecordRequest(k.SenderId, 0, k.At));
                    _peers.Tell(new RecordSuccess(k.SenderId, k.RttMs, k.Bytes, k.At));
                    _peers.Tell(new RecordBytes(k.SenderId, null, TrafficDirection.Ingress, k.Bytes, k.At));
                    touched = k.SenderId;
                    chunks++;
                    chunkBytes += k.Bytes;
                    fileChunks[file]++;
                    fileBytes[file] += k.Bytes;
                    break;
                case SessionClosed x:
                    if (open.Remove(x.SessionIndex, out var h))
                    {
                        var waited = clock.GetTimestamp();
                        await _limits.CloseSessionAsync(h, ct).ConfigureAwait(false);
                        waitLimits += clock.GetTimestamp() - waited;
                    }
                    touched = x.SenderId;
                    closed++;
                    if (++fileClosed[file] == plan.Files[file].Sessions && _options.Memory is { } memory)
                        fileMemory[file] = memory();
                    break;
                case PeerOffline p:
                    _peers.Tell(new Cmd.PeerOffline(p.PeerId, p.At));
                    touched = p.PeerId;
                    offline++;
                    break;
                default:
                    throw new UnreachableException($"unknown step {step.GetType().Name}");
            }

            events++;
            if (events % _options.BarrierEvery == 0)
            {
                barriers.Enqueue(_peers.AskAsync(new GetFlapCount(touched), ct));
                var waited = clock.GetTimestamp();
                while (barriers.Count > _options.MaxBarriersInFlight)
                    await barriers.Dequeue().ConfigureAwait(false);
                var drained = clock.GetTimestamp();
                waitBarriers += drained - waited;
                await _peers.DrainAsync(_options.MaxUnconfirmed, ct).ConfigureAwait(false);
                waitDrain += clock.GetTimestamp() - drained;
                if (_options.LivePeerActors is { } live) liveMax = Math.Max(liveMax ?? 0, live());
            }
            if (progress is not null && (events & 255) == 0 && clock.GetElapsedTime(lastProgress) >= _options.ProgressInterval)
            {
                lastProgress = clock.GetTimestamp();
                progress(new ReplayProgressState(closed, sessionsTotal, events, clock.GetElapsedTime(start)));
            }
        }

        var finalFrom = clock.GetTimestamp();
        while (critical.Count > 0)
            Critical(await critical.Dequeue().ConfigureAwait(false));
        while (barriers.Count > 0)
            await barriers.Dequeue().ConfigureAwait(false);
        await _peers.DrainAsync(0, ct).ConfigureAwait(false); // everything sent is applied and persisted
        foreach (var h in open.Values)
            await _limits.CloseSessionAsync(h, ct).ConfigureAwait(false);
        waitFinal = clock.GetTimestamp() - finalFrom;

        var elapsed = clock.GetElapsedTime(start);
        progress?.Invoke(new ReplayProgressState(closed, sessionsTotal, events, elapsed));
        return new ReplayDriveResult(events, opened, closed, chunks, chunkBytes, online, offline, channelsOpened, channelsExisting,
            blocks, rejections, firstRejections, elapsed,
            fileEvents.Select((e, i) => new ReplayFileDrive(e, fileClosed[i], fileChunks[i], fileBytes[i]) { Memory = fileMemory[i] }).ToArray())
        {
            LivePeerActorsMax = _options.LivePeerActors is { } l ? Math.Max(liveMax ?? 0, l()) : null,
            Waits = new ReplayDriverWaits
            {
                CriticalAcksSeconds = Seconds(waitCritical),
                LimitsSeconds = Seconds(waitLimits),
                BarriersSeconds = Seconds(waitBarriers),
                DrainSeconds = Seconds(waitDrain),
                FinalSeconds = Seconds(waitFinal),
            },
        };

        double Seconds(long ticks) => Math.Round(ticks / (double)clock.TimestampFrequency, 3);
    }

    /// <summary>The synthetic endpoint of <paramref name="sender"/> (see <see cref="ReplayDriverOptions.SyntheticEndpoints"/>).</summary>
    /// <remarks>A new address object each session: the limits keep it only while the connection is open, and a cached one
    /// per sender would live for the whole run.</remarks>
    private IPAddress? EndpointOf(ReplayTotals totals, int[] endpoints, ref int sendersSeen, string sender)
    {
        if (!_options.SyntheticEndpoints) return null;
        var s = totals.SenderIndexOf(sender);
        if (s < 0) throw new UnreachableException($"sender '{sender}' of a step is not a sender of the plan's totals");
        if (endpoints[s] == 0) endpoints[s] = ++sendersSeen;
        var k = endpoints[s] - 1;
        return k < 1 << 17 ? new IPAddress([198, (byte)(18 + (k >> 16)), (byte)(k >> 8), (byte)k]) : null;
    }
}
