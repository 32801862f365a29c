using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeerActors.Core.Bandwidth;

/// <summary>
/// Bandwidth of many peers (Lantern Unbounded #332 per-peer attribution): peer id (or session id) →
/// <see cref="PeerBandwidth"/>, plus node-wide totals, and the per-epoch export for a reward oracle whose rows sum
/// exactly to the totals. Not thread-safe (owned by one actor or guarded by the caller).
/// </summary>
public sealed class BandwidthLedger
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly BandwidthOptions _options;
    private readonly Dictionary<string, PeerBandwidth> _peers = new(StringComparer.Ordinal);

    /// <summary>Creates an empty ledger.</summary>
    /// <param name="options">Settings; <see cref="BandwidthOptions.Default"/> when null.</param>
    /// <exception cref="InvalidInputException">On invalid options.</exception>
    public BandwidthLedger(BandwidthOptions? options = null)
    {
        _options = (options ?? BandwidthOptions.Default).Validate();
    }

    /// <summary>The settings in use.</summary>
    public BandwidthOptions Options => _options;

    /// <summary>Total ingress bytes over all peers (the unlabelled <c>ingress-bytes</c>; saturating).</summary>
    public Int128 IngressBytes { get; private set; }

    /// <summary>Total egress bytes over all peers (the unlabelled <c>egress-bytes</c>; saturating).</summary>
    public Int128 EgressBytes { get; private set; }

    /// <summary>Number of peers with at least one observation.</summary>
    public int PeerCount => _peers.Count;

    /// <summary>Tracked peers.</summary>
    public IReadOnlyDictionary<string, PeerBandwidth> Peers => _peers;

    /// <summary>
    /// Attributes bytes to <see cref="PeerIdentity.Resolve"/>(<paramref name="peerId"/>, <paramref name="sessionId"/>).
    /// </summary>
    /// <param name="peerId">Peer id (may be null/blank if a session id is given).</param>
    /// <param name="sessionId">Consumer session id fallback.</param>
    /// <param name="direction">Ingress or egress.</param>
    /// <param name="bytes">Byte count, ≥ 0.</param>
    /// <param name="at">Observation instant.</param>
    /// <returns>The attribution key used.</returns>
    /// <exception cref="InvalidInputException">On missing ids, negative bytes, unknown direction, unset instant, or bytes that would
    /// overflow the peer's 64-bit total (state unchanged). Node-wide totals are 128-bit.</exception>
    public string Record(string? peerId, string? sessionId, TrafficDirection direction, long bytes, DateTimeOffset at)
    {
        var key = PeerIdentity.Resolve(peerId, sessionId);
        PeerBandwidth.ValidateDirection(direction);
        Guard.NonNegative(bytes, nameof(bytes));
        Guard.Instant(at, nameof(at));
        if (!_peers.TryGetValue(key, out var peer))
        {
            peer = new PeerBandwidth(_options);
            _peers.Add(key, peer);
        }
        peer.Record(direction, bytes, at);
        if (direction == TrafficDirection.Ingress) IngressBytes += bytes;
        else EgressBytes += bytes;
        return key;
    }

    /// <summary>
    /// Adds (or replaces) a peer from a snapshot, e.g. when a node-level ledger is rebuilt from peer actors' states.
    /// </summary>
    /// <param name="peerId">Non-empty peer id.</param>
    /// <param name="state">The peer's bandwidth snapshot.</param>
    /// <exception cref="InvalidInputException">On an empty id or an inconsistent snapshot.</exception>
    public void Load(string peerId, PeerBandwidthState state)
    {
        if (string.IsNullOrEmpty(peerId)) throw new InvalidInputException(nameof(peerId), "must be a non-empty string");
        var peer = PeerBandwidth.FromState(state, _options);
        _peers[peerId] = peer;
        RecomputeTotals();
    }

    /// <summary>Total bytes in one direction over all peers.</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>The total.</returns>
    public Int128 Total(TrafficDirection direction) => direction == TrafficDirection.Ingress ? IngressBytes : EgressBytes;

    /// <summary>Per-peer totals in one direction (input for <see cref="TopKLabelSelector"/>).</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>(peer id, bytes) pairs in no particular order.</returns>
    public IEnumerable<KeyValuePair<string, long>> PeerTotals(TrafficDirection direction) =>
        _peers.Select(kv => new KeyValuePair<string, long>(kv.Key, kv.Value.Total(direction)));

    /// <summary>
    /// Per-peer, per-epoch rows overlapping [<paramref name="from"/>, <paramref name="to"/>) (both optional),
    /// ordered by (EpochStart, PeerId ordinal). Each peer's folded "older" bucket appears as one row spanning its
    /// epochs. Unfiltered, the rows' sums equal <see cref="IngressBytes"/> and <see cref="EgressBytes"/> exactly.
    /// </summary>
    /// <param name="from">Inclusive window start, if any.</param>
    /// <param name="to">Exclusive window end, if any.</param>
    /// <returns>The export.</returns>
    /// <exception cref="InvalidInputException">When <paramref name="to"/> is before <paramref name="from"/>.</exception>
    public BandwidthExport Export(DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        if (from is { } f && to is { } t && t < f) throw new InvalidInputException(nameof(to), "before from");
        var rows = _peers
            .SelectMany(kv => kv.Value.Rows(kv.Key, from, to))
            .OrderBy(r => r.EpochStart)
            .ThenBy(r => r.PeerId, StringComparer.Ordinal)
            .ToArray();
        Int128 i = 0, e = 0; // 128-bit: Σ of 64-bit rows cannot overflow
        foreach (var r in rows)
        {
            i += r.IngressBytes;
            e += r.EgressBytes;
        }
        return new BandwidthExport(from, to, rows, i, e);
    }

    /// <summary>
    /// <see cref="Export"/> as JSON (System.Text.Json, camelCase): <c>{"from":…,"to":…,"rows":[{"epochStart":…,
    /// "epochEnd":…,"peerId":…,"ingressBytes":…,"egressBytes":…}],"ingressBytes":…,"egressBytes":…}</c>,
    /// instants in ISO 8601 UTC.
    /// </summary>
    /// <param name="from">Inclusive window start, if any.</param>
    /// <param name="to">Exclusive window end, if any.</param>
    /// <returns>The JSON text.</returns>
    public string ExportJson(DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        JsonSerializer.Serialize(Export(from, to), JsonOptions);

    private void RecomputeTotals()
    {
        Int128 i = 0, e = 0;
        foreach (var p in _peers.Values)
        {
            i += p.IngressBytes;
            e += p.EgressBytes;
        }
        IngressBytes = i;
        EgressBytes = e;
    }
}
