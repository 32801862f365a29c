using System.Collections;

namespace PeerActors.Node.Replay;

/// <summary>
/// The distinct peer ids of a replay's input (receivers ∪ senders, ordinal), each with a dense index 0 … <see cref="Count"/> − 1
/// in order of first appearance (file order, then row order; a row's receiver before its sender), and one string
/// instance per id for the whole run.
/// </summary>
/// <remarks>
/// Why one table: the scan, the plan's merge (each file read brings new string instances of the same ids), the runner
/// and the driver each kept a set or dictionary of every peer id, about 30–50 bytes a peer each for the whole run.
/// With the index they keep per-peer data in arrays instead, and everything that keeps an id (the node's delivery marks,
/// selector index, journal) shares this table's instance. Filled by <see cref="ReplayTotalsBuilder"/> and read-only
/// once its totals are built; concurrent reads are safe then.
/// <para>Its own open-addressing hash (linear probing over an int per slot, at most 3/4 full) instead of a
/// <c>Dictionary&lt;string, int&gt;</c>: 8 bytes a peer for the id array plus 5–11 for the slots, where a dictionary's
/// 24-byte entries, buckets and the id array took about 40.</para>
/// </remarks>
public sealed class ReplayPeerIds : IReadOnlySet<string>, IReadOnlyList<string>
{
    private string[] _ids = new string[16];
    // Index + 1 of the id hashed to each slot (0 = free); a power of two long.
    private int[] _slots = new int[32];
    private int _count;
    private bool _frozen;

    internal ReplayPeerIds()
    {
    }

    /// <summary>Number of distinct peer ids.</summary>
    public int Count => _count;

    /// <summary>The peer id of index <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0 … Count − 1.</exception>
    public string this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _ids[index];
        }
    }

    /// <summary>The index of <paramref name="peerId"/>, or −1 when it is not a peer of the input.</summary>
    public int IndexOf(string peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        return _slots[Slot(peerId)] - 1;
    }

    /// <summary>Whether <paramref name="item"/> is a peer of the input (ordinal).</summary>
    public bool Contains(string item) => item is not null && _slots[Slot(item)] != 0;

    /// <summary>The slot holding <paramref name="id"/>, or the free slot where it would go.</summary>
    private int Slot(string id)
    {
        var mask = _slots.Length - 1;
        var i = id.GetHashCode() & mask;
        while (_slots[i] is var v and not 0 && !string.Equals(_ids[v - 1], id, StringComparison.Ordinal))
            i = (i + 1) & mask;
        return i;
    }

    /// <summary>The table's instance of <paramref name="peerId"/> (so that ids read again share one string), or null when it is not a peer of the input.</summary>
    public string? Canonical(string peerId) => IndexOf(peerId) is var i and >= 0 ? _ids[i] : null;

    /// <summary>The index of <paramref name="peerId"/>, added at the end when new; <paramref name="peerId"/> becomes the canonical instance then.</summary>
    internal int Add(string peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        if (_frozen) throw new InvalidOperationException("the peer table is complete: its totals are built");
        var slot = Slot(peerId);
        if (_slots[slot] != 0) return _slots[slot] - 1;
        var i = _count++;
        if (i == _ids.Length) Array.Resize(ref _ids, _ids.Length * 2);
        _ids[i] = peerId;
        _slots[slot] = i + 1;
        if (_count > _slots.Length / 4 * 3) Rehash(_slots.Length * 2);
        return i;
    }

    private void Rehash(int length)
    {
        _slots = new int[length];
        for (var i = 0; i < _count; i++) _slots[Slot(_ids[i])] = i + 1;
    }

    /// <summary>Ends the filling: the spare room of the id array is given back, as the table lives for the whole run.</summary>
    internal void Freeze()
    {
        if (_frozen) return;
        _frozen = true;
        Array.Resize(ref _ids, _count);
    }

    /// <summary>The ids in index order.</summary>
    public IEnumerator<string> GetEnumerator()
    {
        var n = Count;
        for (var i = 0; i < n; i++) yield return _ids[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool IsProperSubsetOf(IEnumerable<string> other)
    {
        var o = Distinct(other);
        return o.Count > Count && IsSubsetOf(o);
    }

    /// <inheritdoc/>
    public bool IsProperSupersetOf(IEnumerable<string> other)
    {
        var o = Distinct(other);
        return o.Count < Count && o.All(Contains);
    }

    /// <inheritdoc/>
    public bool IsSubsetOf(IEnumerable<string> other)
    {
        var o = Distinct(other);
        return o.Count >= Count && this.All(o.Contains);
    }

    /// <inheritdoc/>
    public bool IsSupersetOf(IEnumerable<string> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.All(Contains);
    }

    /// <inheritdoc/>
    public bool Overlaps(IEnumerable<string> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Any(Contains);
    }

    /// <inheritdoc/>
    public bool SetEquals(IEnumerable<string> other)
    {
        var o = Distinct(other);
        return o.Count == Count && o.All(Contains);
    }

    private static HashSet<string> Distinct(IEnumerable<string> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new HashSet<string>(other, StringComparer.Ordinal);
    }
}
