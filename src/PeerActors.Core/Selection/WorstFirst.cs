namespace PeerActors.Core.Selection;

/// <summary>
/// Orders top-K candidates from worst to best, so a min-heap keeps the worst of the best K on top: the smaller value
/// first; for equal values the larger id first (ids ascending is the tie-break order of every ranking, so the larger id
/// is the one to drop). Shared by the ranking index (scores) and the metric label cap (byte totals).
/// </summary>
/// <typeparam name="T">The value ranked on (a score, a byte count).</typeparam>
internal sealed class WorstFirst<T> : IComparer<(T Value, string Id)> where T : IComparable<T>
{
    /// <summary>The one instance (the comparer has no state).</summary>
    public static readonly WorstFirst<T> Instance = new();

    /// <inheritdoc />
    public int Compare((T Value, string Id) x, (T Value, string Id) y)
    {
        var c = x.Value.CompareTo(y.Value);
        return c != 0 ? c : string.CompareOrdinal(y.Id, x.Id);
    }
}
