namespace PeerActors.Core.Bandwidth;

/// <summary>
/// Bytes attributed to one peer (Lantern Unbounded #332), ingress and egress kept apart: all-time totals plus
/// per-epoch buckets. Invariant: Σ buckets (+ the folded older bucket) = totals, per direction, exactly — as long
/// as no total has saturated at <see cref="long.MaxValue"/> (≈ 9.2 EB; counters saturate instead of overflowing).
/// Not thread-safe (owned by one actor).
/// </summary>
public sealed class PeerBandwidth
{
    private readonly BandwidthOptions _options;
    private readonly SortedDictionary<long, (long In, long Out)> _epochs = new();
    private readonly SortedSet<long> _touched = [];
    private OlderBytes? _older;

    /// <summary>Creates an empty record.</summary>
    /// <param name="options">Settings; <see cref="BandwidthOptions.Default"/> when null.</param>
    /// <exception cref="InvalidInputException">On invalid options.</exception>
    public PeerBandwidth(BandwidthOptions? options = null)
    {
        _options = (options ?? BandwidthOptions.Default).Validate();
    }

    /// <summary>The settings in use.</summary>
    public BandwidthOptions Options => _options;

    /// <summary>Total ingress bytes (saturating).</summary>
    public long IngressBytes { get; private set; }

    /// <summary>Total egress bytes (saturating).</summary>
    public long EgressBytes { get; private set; }

    /// <summary>Total bytes in one direction.</summary>
    /// <param name="direction">The direction.</param>
    /// <returns>The total.</returns>
    public long Total(TrafficDirection direction) => direction == TrafficDirection.Ingress ? IngressBytes : EgressBytes;

    /// <summary>Per-epoch buckets, ascending.</summary>
    public IReadOnlyList<EpochBytes> Epochs => _epochs.Select(kv => new EpochBytes(kv.Key, kv.Value.In, kv.Value.Out)).ToArray();

    /// <summary>The folded older bucket, if retention has folded anything.</summary>
    public OlderBytes? Older => _older;

    /// <summary>
    /// Attributes <paramref name="bytes"/> in <paramref name="direction"/> at instant <paramref name="at"/>. Zero bytes
    /// is a no-op. Bytes observed for an epoch already folded into the older bucket are added to that bucket.
    /// </summary>
    /// <param name="direction">Ingress or egress.</param>
    /// <param name="bytes">Byte count, ≥ 0.</param>
    /// <param name="at">Observation instant.</param>
    /// <exception cref="InvalidInputException">On negative bytes, an unknown direction, an unset instant, or bytes that would take
    /// the direction's total past <see cref="long.MaxValue"/> (state unchanged: totals are exact, never saturated).</exception>
    public void Record(TrafficDirection direction, long bytes, DateTimeOffset at)
    {
        ValidateDirection(direction);
        Guard.NonNegative(bytes, nameof(bytes));
        at = Guard.Instant(at, nameof(at));
        if (bytes == 0) return;
        if (bytes > long.MaxValue - Total(direction))
            throw new InvalidInputException(nameof(bytes), $"{bytes} would take the {direction} total past {long.MaxValue} (the counter is 64-bit)");
        var epoch = _options.EpochOf(at);
        var ingress = direction == TrafficDirection.Ingress ? bytes : 0;
        var egress = direction == TrafficDirection.Egress ? bytes : 0;
        IngressBytes += ingress;
        EgressBytes += egress;
        AddToBucket(epoch, ingress, egress);
    }

    /// <summary>Buckets as export rows for <paramref name="peerId"/>, restricted to rows overlapping [from, to).</summary>
    /// <param name="peerId">Key to put in the rows.</param>
    /// <param name="from">Inclusive lower bound, if any.</param>
    /// <param name="to">Exclusive upper bound, if any.</param>
    /// <returns>Rows ascending by start.</returns>
    public IEnumerable<BandwidthExportRow> Rows(string peerId, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        if (_older is { } o)
        {
            var row = new BandwidthExportRow(_options.EpochStart(o.FirstEpoch), _options.EpochStart(o.LastEpoch + 1), peerId, o.IngressBytes, o.EgressBytes);
            if (Overlaps(row, from, to)) yield return row;
        }
        foreach (var (epoch, (i, e)) in _epochs)
        {
            var row = new BandwidthExportRow(_options.EpochStart(epoch), _options.EpochStart(epoch + 1), peerId, i, e);
            if (Overlaps(row, from, to)) yield return row;
        }
    }

    /// <summary>Captures the state as an immutable snapshot.</summary>
    /// <returns>The state.</returns>
    public PeerBandwidthState ToState() => new(_options.EpochLength, IngressBytes, EgressBytes, Epochs, _older);

    /// <summary>
    /// Rebuilds from a snapshot. If the snapshot's epoch length differs from <paramref name="options"/>, each bucket
    /// is re-assigned to the new epoch containing its start (sums stay exact; resolution follows the old buckets).
    /// Retention is applied if the snapshot holds more buckets than allowed.
    /// </summary>
    /// <param name="state">The snapshot.</param>
    /// <param name="options">Settings; <see cref="BandwidthOptions.Default"/> when null.</param>
    /// <returns>The record.</returns>
    /// <exception cref="InvalidInputException">When the snapshot is inconsistent (negative values, sums ≠ totals, bad length).</exception>
    public static PeerBandwidth FromState(PeerBandwidthState state, BandwidthOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var pb = new PeerBandwidth(options);
        if (state.EpochLength <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(state.EpochLength), "must be positive");
        Guard.NonNegative(state.IngressBytes, nameof(state.IngressBytes));
        Guard.NonNegative(state.EgressBytes, nameof(state.EgressBytes));
        var old = new BandwidthOptions { EpochLength = state.EpochLength };
        long Map(long epoch) => pb._options.EpochOf(old.EpochStart(epoch));

        long sumIn = 0, sumOut = 0;
        if (state.Older is { } o)
        {
            Guard.NonNegative(o.IngressBytes, "Older.IngressBytes");
            Guard.NonNegative(o.EgressBytes, "Older.EgressBytes");
            if (o.LastEpoch < o.FirstEpoch) throw new InvalidInputException("Older.LastEpoch", "before Older.FirstEpoch");
            pb._older = new OlderBytes(Map(o.FirstEpoch), Math.Max(Map(o.FirstEpoch), pb._options.EpochOf(old.EpochStart(o.LastEpoch + 1).AddTicks(-1))), o.IngressBytes, o.EgressBytes);
            sumIn = Saturating.Add(sumIn, o.IngressBytes);
            sumOut = Saturating.Add(sumOut, o.EgressBytes);
        }
        foreach (var b in state.Epochs)
        {
            Guard.NonNegative(b.IngressBytes, "Epochs.IngressBytes");
            Guard.NonNegative(b.EgressBytes, "Epochs.EgressBytes");
            pb.AddToBucket(Map(b.Epoch), b.IngressBytes, b.EgressBytes, applyRetention: false);
            sumIn = Saturating.Add(sumIn, b.IngressBytes);
            sumOut = Saturating.Add(sumOut, b.EgressBytes);
        }
        var saturated = state.IngressBytes == long.MaxValue || state.EgressBytes == long.MaxValue;
        if (!saturated && (sumIn != state.IngressBytes || sumOut != state.EgressBytes))
            throw new InvalidInputException(nameof(state.Epochs), "bucket sums differ from the totals");
        pb.IngressBytes = state.IngressBytes;
        pb.EgressBytes = state.EgressBytes;
        pb.ApplyRetention();
        return pb;
    }

    /// <summary>What changed since the last call (or since creation): totals, older bucket, touched buckets.</summary>
    /// <returns>The window; the set of touched buckets is cleared.</returns>
    public PeerBandwidthWindow TakeWindow()
    {
        var epochs = new List<EpochBytes>(_touched.Count);
        foreach (var e in _touched)
            if (_epochs.TryGetValue(e, out var b)) epochs.Add(new EpochBytes(e, b.In, b.Out));
        _touched.Clear();
        return new PeerBandwidthWindow(IngressBytes, EgressBytes, _older, epochs);
    }

    /// <summary>
    /// Applies a window taken by <see cref="TakeWindow"/> from a bandwidth in the same state as this one: overwrites the
    /// touched buckets, sets the totals and the older bucket, and drops the buckets the window folded into it.
    /// </summary>
    /// <param name="window">The window.</param>
    public void ApplyWindow(PeerBandwidthWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        foreach (var e in window.Epochs) _epochs[e.Epoch] = (e.IngressBytes, e.EgressBytes);
        _older = window.Older;
        if (_older is { } o)
            foreach (var folded in _epochs.Keys.Where(k => k <= o.LastEpoch).ToArray()) _epochs.Remove(folded);
        IngressBytes = window.IngressBytes;
        EgressBytes = window.EgressBytes;
        _touched.Clear();
    }

    internal static void ValidateDirection(TrafficDirection direction)
    {
        if (direction is not (TrafficDirection.Ingress or TrafficDirection.Egress))
            throw new InvalidInputException(nameof(direction), $"unknown direction {(int)direction}");
    }

    private static bool Overlaps(BandwidthExportRow row, DateTimeOffset? from, DateTimeOffset? to) =>
        (from is not { } f || row.EpochEnd > f) && (to is not { } t || row.EpochStart < t);

    private void AddToBucket(long epoch, long ingress, long egress, bool applyRetention = true)
    {
        if (_older is { } o && epoch <= o.LastEpoch)
        {
            _older = new OlderBytes(Math.Min(o.FirstEpoch, epoch), o.LastEpoch,
                Saturating.Add(o.IngressBytes, ingress), Saturating.Add(o.EgressBytes, egress));
            return;
        }
        _epochs[epoch] = _epochs.TryGetValue(epoch, out var cur)
            ? (Saturating.Add(cur.In, ingress), Saturating.Add(cur.Out, egress))
            : (ingress, egress);
        if (applyRetention) _touched.Add(epoch);
        if (applyRetention) ApplyRetention();
    }

    private void ApplyRetention()
    {
        if (_options.MaxEpochs is not { } max) return;
        while (_epochs.Count > max)
        {
            var (epoch, (i, e)) = _epochs.First();
            _epochs.Remove(epoch);
            _older = _older is { } o
                ? new OlderBytes(Math.Min(o.FirstEpoch, epoch), Math.Max(o.LastEpoch, epoch),
                    Saturating.Add(o.IngressBytes, i), Saturating.Add(o.EgressBytes, e))
                : new OlderBytes(epoch, epoch, i, e);
        }
    }
}
