using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PeerActors.Core.Bandwidth;

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
/// <item><c>active-peers</c> (Prometheus: peeractors_active_peers): UpDownCounter&lt;long&gt;, peer actors alive on this node.</item>
/// <item><c>ingest-events</c> (Prometheus: peeractors_ingest_events): Counter&lt;long&gt;, observations and commands applied.</item>
/// <item><c>journal-writes</c> (Prometheus: peeractors_journal_writes): Counter&lt;long&gt;, persist calls (one atomic journal write each).</item>
/// </list>
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

    /// <summary><c>active-peers</c> (Prometheus: peeractors_active_peers): peer actors alive on this node.</summary>
    public static UpDownCounter<long> ActivePeers { get; } = Meter.CreateUpDownCounter<long>("active-peers", "{peer}", "Peer actors alive on this node");

    /// <summary><c>ingest-events</c> (Prometheus: peeractors_ingest_events): observations and commands applied by peer actors.</summary>
    public static Counter<long> IngestEvents { get; } = Meter.CreateCounter<long>("ingest-events", "{event}", "Observations applied by peer actors");

    /// <summary><c>delivery-resent</c>: observations sent again after a missing ack (reliable delivery, at-least-once).</summary>
    public static Counter<long> DeliveryResent { get; } = Meter.CreateCounter<long>("delivery-resent", "{item}", "Observations sent again to a peer actor after a missing ack (reliable delivery)");

    /// <summary>Observations refused by a full delivery buffer (<c>peeractors.delivery.max-unconfirmed</c>).</summary>
    public static Counter<long> DeliveryRefused { get; } = Meter.CreateCounter<long>("delivery-refused", "{item}", "Observations refused because the delivery buffer was full");

    /// <summary>Duplicate observations dropped by peer actors (a resend of an item already applied).</summary>
    public static Counter<long> DeliveryDuplicates { get; } = Meter.CreateCounter<long>("delivery-duplicates", "{item}", "Duplicate observations dropped by peer actors");

    /// <summary><c>journal-writes</c> (Prometheus: peeractors_journal_writes): persist calls (atomic journal writes) by peer actors.</summary>
    public static Counter<long> JournalWrites { get; } = Meter.CreateCounter<long>("journal-writes", "{write}", "Journal writes by peer actors");

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

    /// <summary>Current per-label measurements (top-K by bytes in that direction, the rest summed as "other").</summary>
    /// <param name="direction">Ingress or egress.</param>
    /// <returns>Measurements tagged <c>peer_id</c>.</returns>
    internal static IEnumerable<Measurement<long>> Observe(TrafficDirection direction)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var cell in Cells.Values)
        {
            var v = direction == TrafficDirection.Ingress ? cell.Ingress : cell.Egress;
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
