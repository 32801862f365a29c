namespace PeerActors.Core.Bandwidth;

/// <summary>Direction of attributed traffic, seen from this node.</summary>
public enum TrafficDirection
{
    /// <summary>Bytes received from the peer (Lantern <c>ingress-bytes</c>).</summary>
    Ingress = 0,

    /// <summary>Bytes sent to the peer (<c>egress-bytes</c>).</summary>
    Egress = 1,
}

/// <summary>Attribution key rules (Lantern Unbounded #332: peer id, falling back to the consumer session id).</summary>
public static class PeerIdentity
{
    /// <summary>
    /// The key bytes are attributed to: <paramref name="peerId"/> when it is non-blank, otherwise
    /// <paramref name="sessionId"/> (old clients without a peer id). Values are opaque and used verbatim (not trimmed).
    /// </summary>
    /// <param name="peerId">Peer id, may be null or blank.</param>
    /// <param name="sessionId">Consumer session id, may be null or blank.</param>
    /// <returns>The attribution key.</returns>
    /// <exception cref="InvalidInputException">When both are null, empty or whitespace (field <c>peerId</c>).</exception>
    public static string Resolve(string? peerId, string? sessionId)
    {
        if (!string.IsNullOrWhiteSpace(peerId)) return peerId;
        if (!string.IsNullOrWhiteSpace(sessionId)) return sessionId;
        throw new InvalidInputException(nameof(peerId), "peer id and session id are both missing");
    }
}

/// <summary>Settings of the bandwidth ledger.</summary>
public sealed record BandwidthOptions
{
    /// <summary>Default settings: 1 h epochs, unlimited retention, 100 peer labels.</summary>
    public static BandwidthOptions Default { get; } = new();

    /// <summary>
    /// Length of an epoch (default 1 h, must be positive). Epochs are aligned to the Unix epoch:
    /// epoch n covers [1970-01-01T00:00Z + n·length, + (n+1)·length).
    /// </summary>
    public TimeSpan EpochLength { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Maximum number of per-epoch buckets kept per peer (null = unlimited). When exceeded, the oldest buckets are
    /// folded into one "older" bucket per peer, so sums stay exact but older epochs lose their resolution.
    /// </summary>
    public int? MaxEpochs { get; init; }

    /// <summary>
    /// Metric cardinality cap: how many peers get their own <c>peer_id</c> label on the <c>*-bytes-by-peer</c>
    /// instruments (top-K by bytes, see <see cref="TopKLabelSelector"/>); the rest are reported as
    /// <c>peer_id="other"</c>. Default 100; 0 puts everyone in "other".
    /// </summary>
    public int MaxPeerLabels { get; init; } = 100;

    /// <summary>Checks the settings.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="InvalidInputException">When a value is out of range (names the property).</exception>
    public BandwidthOptions Validate()
    {
        if (EpochLength <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(EpochLength), $"must be positive, got {EpochLength}");
        if (MaxEpochs is < 1)
            throw new InvalidInputException(nameof(MaxEpochs), $"must be at least 1 when set, got {MaxEpochs}");
        if (MaxPeerLabels < 0)
            throw new InvalidInputException(nameof(MaxPeerLabels), $"must not be negative, got {MaxPeerLabels}");
        return this;
    }

    /// <summary>The epoch number containing <paramref name="at"/> (floor division, also before 1970).</summary>
    /// <param name="at">An instant.</param>
    /// <returns>The epoch number.</returns>
    public long EpochOf(DateTimeOffset at)
    {
        var diff = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var epoch = diff / EpochLength.Ticks;
        return diff < 0 && diff % EpochLength.Ticks != 0 ? epoch - 1 : epoch;
    }

    /// <summary>Start instant (UTC) of epoch <paramref name="epoch"/>.</summary>
    /// <param name="epoch">Epoch number.</param>
    /// <returns>The start instant.</returns>
    public DateTimeOffset EpochStart(long epoch) => DateTimeOffset.UnixEpoch.AddTicks(checked(epoch * EpochLength.Ticks));
}

/// <summary>Bytes of one peer in one epoch.</summary>
/// <param name="Epoch">Epoch number (see <see cref="BandwidthOptions.EpochOf"/>).</param>
/// <param name="IngressBytes">Ingress bytes.</param>
/// <param name="EgressBytes">Egress bytes.</param>
public readonly record struct EpochBytes(long Epoch, long IngressBytes, long EgressBytes);

/// <summary>Bytes of one peer folded from epochs <see cref="FirstEpoch"/>..<see cref="LastEpoch"/> (inclusive) after retention.</summary>
/// <param name="FirstEpoch">Earliest folded epoch.</param>
/// <param name="LastEpoch">Latest folded epoch.</param>
/// <param name="IngressBytes">Ingress bytes.</param>
/// <param name="EgressBytes">Egress bytes.</param>
public readonly record struct OlderBytes(long FirstEpoch, long LastEpoch, long IngressBytes, long EgressBytes);

/// <summary>Immutable snapshot of a <see cref="PeerBandwidth"/>; equality is structural.</summary>
/// <param name="EpochLength">Epoch length the epoch numbers refer to.</param>
/// <param name="IngressBytes">Total ingress bytes.</param>
/// <param name="EgressBytes">Total egress bytes.</param>
/// <param name="Epochs">Per-epoch buckets, ascending by epoch.</param>
/// <param name="Older">Folded older bucket, if retention folded anything.</param>
public sealed record PeerBandwidthState(
    TimeSpan EpochLength,
    long IngressBytes,
    long EgressBytes,
    IReadOnlyList<EpochBytes> Epochs,
    OlderBytes? Older)
{
    /// <summary>Structural equality (epochs compared element by element).</summary>
    /// <param name="other">The state to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PeerBandwidthState? other) =>
        other is not null && EpochLength == other.EpochLength && IngressBytes == other.IngressBytes
        && EgressBytes == other.EgressBytes && Older == other.Older && Epochs.SequenceEqual(other.Epochs);

    /// <summary>Hash over the scalar fields.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(EpochLength, IngressBytes, EgressBytes, Older, Epochs.Count);
}

/// <summary>One row of a bandwidth export: bytes attributed to a peer within [EpochStart, EpochEnd).</summary>
/// <param name="EpochStart">Window start (UTC, inclusive).</param>
/// <param name="EpochEnd">Window end (UTC, exclusive); spans several epochs for a folded "older" bucket.</param>
/// <param name="PeerId">Attribution key.</param>
/// <param name="IngressBytes">Ingress bytes in the window.</param>
/// <param name="EgressBytes">Egress bytes in the window.</param>
public readonly record struct BandwidthExportRow(
    DateTimeOffset EpochStart,
    DateTimeOffset EpochEnd,
    string PeerId,
    long IngressBytes,
    long EgressBytes);

/// <summary>An export: rows ordered by (EpochStart, PeerId ordinal) and their exact sums.</summary>
/// <param name="From">Requested window start, if any.</param>
/// <param name="To">Requested window end, if any.</param>
/// <param name="Rows">The rows.</param>
/// <param name="IngressBytes">Sum of the rows' ingress bytes, 128-bit (equals the ledger total for an unfiltered export).</param>
/// <param name="EgressBytes">Sum of the rows' egress bytes, 128-bit (equals the ledger total for an unfiltered export).</param>
public sealed record BandwidthExport(
    DateTimeOffset? From,
    DateTimeOffset? To,
    IReadOnlyList<BandwidthExportRow> Rows,
    Int128 IngressBytes,
    Int128 EgressBytes);

internal static class Saturating
{
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}

/// <summary>
/// What one flush window changed in a <see cref="PeerBandwidth"/>: the totals, the folded older bucket and the absolute
/// value of every epoch bucket recorded into during the window. <see cref="PeerBandwidth.ApplyWindow"/> on the state
/// before the window reproduces the state after it exactly.
/// </summary>
/// <param name="IngressBytes">Total ingress bytes after the window.</param>
/// <param name="EgressBytes">Total egress bytes after the window.</param>
/// <param name="Older">Folded older bucket after the window.</param>
/// <param name="Epochs">Buckets touched in the window (absolute values), ascending by epoch.</param>
public sealed record PeerBandwidthWindow(long IngressBytes, long EgressBytes, OlderBytes? Older, IReadOnlyList<EpochBytes> Epochs)
{
    /// <summary>Structural equality (epochs compared element by element).</summary>
    /// <param name="other">The window to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PeerBandwidthWindow? other) =>
        other is not null && IngressBytes == other.IngressBytes && EgressBytes == other.EgressBytes && Older == other.Older
        && Epochs.SequenceEqual(other.Epochs);

    /// <summary>Hash over the totals and the epoch count.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(IngressBytes, EgressBytes, Older, Epochs.Count);
}
