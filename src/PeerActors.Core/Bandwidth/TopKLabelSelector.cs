using PeerActors.Core.Selection;

namespace PeerActors.Core.Bandwidth;

/// <summary>
/// Caps the cardinality of the <c>peer_id</c> metric label: the K peers with the most bytes keep their own label,
/// everyone else is reported as <see cref="OtherLabel"/>. Ties are broken by peer id (ordinal ascending), so the
/// choice is deterministic. <see cref="Update"/> recomputes the set in O(n log K) (a bounded heap), cheap enough to
/// call on every metric export. A peer literally named "other" that is not selected is indistinguishable from
/// the aggregate. Not thread-safe: call <see cref="Update"/> and <see cref="LabelFor"/> from one exporter.
/// </summary>
public sealed class TopKLabelSelector
{
    /// <summary>The label value used for peers outside the top K.</summary>
    public const string OtherLabel = "other";

    private HashSet<string> _selected = new(StringComparer.Ordinal);

    /// <summary>Creates a selector keeping at most <paramref name="k"/> labels.</summary>
    /// <param name="k">Number of peers that keep their own label (≥ 0).</param>
    /// <exception cref="InvalidInputException">When <paramref name="k"/> is negative.</exception>
    public TopKLabelSelector(int k)
    {
        K = (int)Guard.NonNegative(k, nameof(k));
    }

    /// <summary>The cap.</summary>
    public int K { get; }

    /// <summary>The peer ids currently holding their own label.</summary>
    public IReadOnlySet<string> Selected => _selected;

    /// <summary>Recomputes the selected set from the current per-peer totals.</summary>
    /// <param name="totals">Per-peer byte totals (peer id → bytes); ids must be distinct.</param>
    /// <returns>The new selected set.</returns>
    public IReadOnlySet<string> Update(IEnumerable<KeyValuePair<string, long>> totals)
    {
        _selected = new HashSet<string>(SelectTopK(totals, K), StringComparer.Ordinal);
        return _selected;
    }

    /// <summary>The label value to use for <paramref name="peerId"/>: itself if selected, else <see cref="OtherLabel"/>.</summary>
    /// <param name="peerId">Peer id.</param>
    /// <returns>The label value.</returns>
    public string LabelFor(string peerId) => _selected.Contains(peerId) ? peerId : OtherLabel;

    /// <summary>
    /// The top <paramref name="k"/> peer ids by bytes (descending, ties by id ordinal ascending), in that order.
    /// O(n log k) time, O(k) extra memory.
    /// </summary>
    /// <param name="totals">Per-peer byte totals.</param>
    /// <param name="k">How many to keep (≥ 0).</param>
    /// <returns>The selected ids, best first.</returns>
    /// <exception cref="InvalidInputException">When <paramref name="k"/> is negative.</exception>
    public static IReadOnlyList<string> SelectTopK(IEnumerable<KeyValuePair<string, long>> totals, int k)
    {
        ArgumentNullException.ThrowIfNull(totals);
        Guard.NonNegative(k, nameof(k));
        if (k == 0) return [];
        // Min-heap of the current best k; its root is the worst of them.
        var heap = new PriorityQueue<string, (long Bytes, string Id)>(k + 1, WorstFirst<long>.Instance);
        foreach (var (id, bytes) in totals)
        {
            if (heap.Count < k) heap.Enqueue(id, (bytes, id));
            else if (heap.TryPeek(out _, out var worst) && WorstFirst<long>.Instance.Compare((bytes, id), worst) > 0)
                heap.EnqueueDequeue(id, (bytes, id));
        }
        var result = new string[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = heap.Dequeue();
        return result;
    }
}
