using System.Runtime.InteropServices;

namespace PeerActors.Limits;

/// <summary>
/// The root's held releases: the protocol / service actors' share of closed streams (<see cref="StreamReleased"/>),
/// summed per actor and scope list and sent later in one <see cref="ChainReleases"/> per actor — riding on the next
/// combined open's chain to that actor (<see cref="Carry"/>), before anything else the root sends it
/// (<see cref="Flush"/>), when a refusal there asks for them (<see cref="RecheckRequest"/>), at the idle sweep, or
/// <see cref="LimitsOptions.HeldReleaseDelay"/> after the first hold (<see cref="FlushAll"/> on the root's timer).
/// Holding only delays a release: it never over-commits, and nothing is refused for a held release.
/// <para>Plain state owned by the root (one actor, no locks); it sends only to the actors it holds releases for.
/// The root decides when; this class keeps what and for whom.</para>
/// </summary>
internal sealed class HeldReleases
{
    private readonly List<Slot> _holding = new();
    private bool _timerPending;

    /// <param name="delay">How long a release may be held at most (<see cref="LimitsOptions.HeldReleaseDelay"/>); zero or
    /// less sends every release at once.</param>
    public HeldReleases(TimeSpan delay) => Delay = delay;

    /// <summary>The longest a release is held (the root's flush timer).</summary>
    public TimeSpan Delay { get; }

    /// <summary>True when releases are held for some actor.</summary>
    public bool Any => _holding.Count > 0;

    /// <summary>The releases held for one protocol / service actor (created once per child by the root).</summary>
    /// <param name="actor">The actor they are sent to.</param>
    public sealed class Slot(IActorRef actor)
    {
        internal readonly IActorRef Actor = actor;

        /// <summary>Summed per scope list (one list per peer actor and key, so one entry per peer).</summary>
        internal readonly Dictionary<string[], ScopeUsage> Items = new(ReferenceEqualityComparer.Instance);
    }

    /// <summary>Holds <paramref name="delta"/> for <paramref name="scopes"/> of the slot's actor.</summary>
    public void Hold(Slot slot, string[] scopes, in ScopeStat delta)
    {
        if (slot.Items.Count == 0) _holding.Add(slot);
        CollectionsMarshal.GetValueRefOrAddDefault(slot.Items, scopes, out _).Add(delta);
    }

    /// <summary>
    /// After a hold: true when the root must start its flush timer (<see cref="Delay"/>, once until <see cref="OnTimer"/>);
    /// with no delay everything held is sent now and the answer is false.
    /// </summary>
    public bool NeedsTimer()
    {
        if (_holding.Count == 0 || _timerPending) return false;
        if (Delay <= TimeSpan.Zero)
        {
            FlushAll();
            return false;
        }

        return _timerPending = true;
    }

    /// <summary>The root's flush timer fired: send everything held.</summary>
    public void OnTimer()
    {
        _timerPending = false;
        FlushAll();
    }

    /// <summary>Sends what is held for the slot's actor now (before the root sends it anything else).</summary>
    public void Flush(Slot? slot)
    {
        if (slot is null || Take(slot) is not { } r) return;
        slot.Actor.Tell(r);
    }

    /// <summary>Sends everything held, one message per actor.</summary>
    public void FlushAll()
    {
        foreach (var slot in _holding)
            if (TakeItems(slot) is { } r)
                slot.Actor.Tell(r);
        _holding.Clear();
    }

    /// <summary>
    /// The releases held for a combined open's protocol and service actors (its legs 0 and 1), to ride on its chain
    /// (<see cref="ChainReserve.Carry"/>, indexed by leg: one entry per leg of the chain, <paramref name="legs"/>); null
    /// when none. They are no longer held.
    /// </summary>
    /// <param name="protocol">The protocol actor's slot (leg 0), null when nothing was ever held for it.</param>
    /// <param name="service">The service actor's slot (leg 1), null when there is no service leg or nothing was ever held for it.</param>
    /// <param name="legs">The chain's number of legs (1 or 2): the length of the array, whichever slots hold something.</param>
    public ChainReleases?[]? Carry(Slot? protocol, Slot? service, int legs)
    {
        if (_holding.Count == 0) return null;
        ChainReleases?[]? carry = null;
        if (protocol is not null && Take(protocol) is { } rp)
            (carry = new ChainReleases?[legs])[0] = rp;
        if (legs > 1 && service is not null && Take(service) is { } rs)
            (carry ??= new ChainReleases?[legs])[1] = rs;
        return carry;
    }

    private ChainReleases? Take(Slot slot)
    {
        if (TakeItems(slot) is not { } r) return null;
        _holding.Remove(slot);
        return r;
    }

    /// <summary>The releases held in <paramref name="slot"/> as one message (null when none); clears them.</summary>
    private static ChainReleases? TakeItems(Slot slot)
    {
        var held = slot.Items;
        if (held.Count == 0) return null;
        var items = new ChainRelease[held.Count];
        int i = 0;
        foreach (var (scopes, usage) in held) items[i++] = new ChainRelease(usage.Stat, scopes);
        held.Clear();
        return new ChainReleases(items);
    }
}
