using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PeerActors.Diagnostics;

/// <summary>
/// The System.Diagnostics.Metrics instruments of the peer actors, on the meter <see cref="MeterName"/>
/// ("PeerActors"); exported by whatever listens to it (OpenTelemetry / Prometheus endpoint of the node).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>ingress-bytes</c>, <c>egress-bytes</c>: Counter&lt;long&gt;, bytes, unlabelled (Lantern compatibility).</item>
/// <item><c>ingress-bytes-by-peer</c>, <c>egress-bytes-by-peer</c>: ObservableGauge&lt;long&gt;, bytes, label
/// <c>peer_id</c>: the current all-time totals of the peers whose actors are alive on this node; the top K peers
/// by bytes (<see cref="TopKLabelSelector"/>, K = <see cref="PeerLabelCap"/>, default 100) keep their own label,
/// every other peer is summed into <c>peer_id="other"</c>. A gauge rather than a counter because top-K membership
/// changes (a peer moving into or out of "other" would make a counter go backwards) and because passivated
/// or handed-off peers leave this node; take rates with care (the series is a per-node level, not a monotone sum).</item>
/// <item><c>active-peers</c>: UpDownCounter&lt;long&gt;, peer actors alive on this node.</item>
/// <item><c>ingest-events</c>: Counter&lt;long&gt;, observations and commands applied.</item>
/// <item><c>journal-writes</c>: Counter&lt;long&gt;, persist calls (one atomic journal write each).</item>
/// <item><c>journal-write-duration</c>: Histogram&lt;double&gt;, seconds from a persist call to its handler (journal write latency).</item>
/// <item><c>command-duration</c>: Histogram&lt;double&gt;, seconds of a <c>PeerActorsClient</c> ask (critical command or query
/// round trip), tagged <c>command</c> (message type) and <c>outcome</c> (<c>ok</c>, <c>rejected</c>, <c>timeout</c>).</item>
/// </list>
/// The node's exporter (OpenTelemetry Prometheus) prefixes every name with <c>peeractors_</c>, turns '-' into '_',
/// appends the unit (<c>_bytes</c>, <c>_seconds</c>) and <c>_total</c> to counters.
/// </remarks>
public static class PeerActorsMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "PeerActors";

    private static readonly ConcurrentDictionary<object, PeerBytesCell> Cells = new(ReferenceEqualityComparer.Instance);
    private static int _peerLabelCap = 100;

    /// <summary>The meter.</summary>
    public static Meter Meter { get; } = new(MeterName);

    /// <summary><c>ingress-bytes</c>: bytes received from peers (unlabelled).</summary>
    public static Counter<long> IngressBytes { get; } = Meter.CreateCounter<long>("ingress-bytes", "By", "Bytes received from peers (all peers)");

    /// <summary><c>egress-bytes</c>: bytes sent to peers (unlabelled).</summary>
    public static Counter<long> EgressBytes { get; } = Meter.CreateCounter<long>("egress-bytes", "By", "Bytes sent to peers (all peers)");

    /// <summary>Peer actors alive in this process right now (all actor systems): what the replay reports as live peer actors.</summary>
    public static long LivePeerActors => Interlocked.Read(ref _livePeerActors);

    private static long _livePeerActors;

    /// <summary>Counts a peer actor started (+1) or stopped (−1) in <see cref="LivePeerActors"/> and <see cref="ActivePeers"/>.</summary>
    internal static void PeerActorAlive(int delta)
    {
        Interlocked.Add(ref _livePeerActors, delta);
        ActivePeers.Add(delta);
    }

    /// <summary><c>active-peers</c>: peer actors alive on this node.</summary>
    public static UpDownCounter<long> ActivePeers { get; } = Meter.CreateUpDownCounter<long>("active-peers", "{peer}", "Peer actors alive on this node");

    /// <summary><c>ingest-events</c>: observations and commands applied by peer actors.</summary>
    public static Counter<long> IngestEvents { get; } = Meter.CreateCounter<long>("ingest-events", "{event}", "Observations applied by peer actors");

    /// <summary><c>delivery-resent</c>: observations sent again after a missing ack (reliable delivery, at-least-once).</summary>
    public static Counter<long> DeliveryResent { get; } = Meter.CreateCounter<long>("delivery-resent", "{item}", "Observations sent again to a peer actor after a missing ack (reliable delivery)");

    /// <summary>Observations refused by a full delivery buffer (<c>peeractors.delivery.max-unconfirmed</c>).</summary>
    public static Counter<long> DeliveryRefused { get; } = Meter.CreateCounter<long>("delivery-refused", "{item}", "Observations refused because the delivery buffer was full");

    /// <summary>Duplicate observations dropped by peer actors (a resend of an item already applied).</summary>
    public static Counter<long> DeliveryDuplicates { get; } = Meter.CreateCounter<long>("delivery-duplicates", "{item}", "Duplicate observations dropped by peer actors");

    /// <summary><c>journal-writes</c>: persist calls (atomic journal writes) by peer actors.</summary>
    public static Counter<long> JournalWrites { get; } = Meter.CreateCounter<long>("journal-writes", "{write}", "Journal writes by peer actors");

    /// <summary>Bucket bounds (seconds) of the latency histograms: 0.5 ms to 10 s.</summary>
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary><c>journal-write-duration</c>: seconds from a peer actor's persist call to its handler.</summary>
    public static Histogram<double> JournalWriteDuration { get; } = Meter.CreateHistogram<double>(
        "journal-write-duration", "s", "Journal write latency of peer actors (persist call to handler)",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary><c>command-duration</c>: seconds of a <c>PeerActorsClient</c> ask, tagged <c>command</c> and <c>outcome</c>.</summary>
    public static Histogram<double> CommandDuration { get; } = Meter.CreateHistogram<double>(
        "command-duration", "s", "Latency of peer commands and queries asked through PeerActorsClient",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>
    /// Counts one journal write (<see cref="JournalWrites"/>) and returns its start timestamp, to be passed to
    /// <see cref="JournalWriteCompleted"/> from the persist handler.
    /// </summary>
    /// <returns>A <see cref="Stopwatch"/> timestamp.</returns>
    public static long JournalWriteStarted()
    {
        JournalWrites.Add(1);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Records the latency of a journal write started with <see cref="JournalWriteStarted"/>.</summary>
    /// <param name="startedAt">The timestamp returned by <see cref="JournalWriteStarted"/>.</param>
    public static void JournalWriteCompleted(long startedAt) =>
        JournalWriteDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);

    /// <summary>
    /// Records 0 on every unlabelled counter so that an exporter that started listening shows each series from the
    /// start (a Prometheus counter that appears only on first use breaks <c>rate()</c> over its first increase).
    /// </summary>
    public static void PublishInitialValues()
    {
        IngressBytes.Add(0);
        EgressBytes.Add(0);
        ActivePeers.Add(0);
        IngestEvents.Add(0);
        JournalWrites.Add(0);
        DeliveryResent.Add(0);
        DeliveryRefused.Add(0);
        DeliveryDuplicates.Add(0);
    }

    /// <summary><c>ingress-bytes-by-peer</c>: current ingress totals per peer label (top-K + "other").</summary>
    public static ObservableGauge<long> IngressBytesByPeer { get; } = Meter.CreateObservableGauge(
        "ingress-bytes-by-peer", () => Observe(TrafficDirection.Ingress), "By", "Bytes received per peer (top-K peers by bytes, rest as other)");

    /// <summary><c>egress-bytes-by-peer</c>: current egress totals per peer label (top-K + "other").</summary>
    public static ObservableGauge<long> EgressBytesByPeer { get; } = Meter.CreateObservableGauge(
        "egress-bytes-by-peer", () => Observe(TrafficDirection.Egress), "By", "Bytes sent per peer (top-K peers by bytes, rest as other)");

    /// <summary>
    /// K of the per-peer label cap (peers keeping their own <c>peer_id</c> label); process-wide; default 100;
    /// set by the hosting extension from the options.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When set negative.</exception>
    public static int PeerLabelCap
    {
        get => Volatile.Read(ref _peerLabelCap);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _peerLabelCap, value);
        }
    }

    /// <summary>Registers a live peer's byte totals for the per-peer gauges; dispose the cell when the actor stops.</summary>
    /// <param name="peerId">The peer.</param>
    /// <returns>The cell the actor updates.</returns>
    internal static PeerBytesCell Register(string peerId)
    {
        var cell = new PeerBytesCell(peerId);
        Cells[cell] = cell;
        return cell;
    }

    internal static void Unregister(PeerBytesCell cell) => Cells.TryRemove(cell, out _);

    /// <summary>
    /// Current per-label measurements (top-K by bytes in that direction, the rest summed as "other"). Peers with no
    /// bytes in that direction are left out (no all-zero series), and "other" is reported only when some peer is in it.
    /// </summary>
    /// <param name="direction">Ingress or egress.</param>
    /// <returns>Measurements tagged <c>peer_id</c>.</returns>
    internal static IEnumerable<Measurement<long>> Observe(TrafficDirection direction)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var cell in Cells.Values)
        {
            var v = direction == TrafficDirection.Ingress ? cell.Ingress : cell.Egress;
            if (v == 0) continue;
            totals[cell.PeerId] = totals.TryGetValue(cell.PeerId, out var cur) ? cur + v : v;
        }
        var top = new HashSet<string>(TopKLabelSelector.SelectTopK(totals, PeerLabelCap), StringComparer.Ordinal);
        long other = 0;
        var result = new List<Measurement<long>>(top.Count + 1);
        foreach (var (peer, bytes) in totals)
        {
            if (top.Contains(peer)) result.Add(new Measurement<long>(bytes, new KeyValuePair<string, object?>("peer_id", peer)));
            else other += bytes;
        }
        if (totals.Count > top.Count)
            result.Add(new Measurement<long>(other, new KeyValuePair<string, object?>("peer_id", TopKLabelSelector.OtherLabel)));
        return result;
    }
}

/// <summary>One live peer's byte totals, written by its actor, read by the gauge callbacks.</summary>
internal sealed class PeerBytesCell(string peerId)
{
    private long _ingress;
    private long _egress;

    public string PeerId { get; } = peerId;
    public long Ingress => Volatile.Read(ref _ingress);
    public long Egress => Volatile.Read(ref _egress);

    public void Set(long ingress, long egress)
    {
        Volatile.Write(ref _ingress, ingress);
        Volatile.Write(ref _egress, egress);
    }
}
