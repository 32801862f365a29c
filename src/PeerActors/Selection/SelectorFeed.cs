namespace PeerActors.Selection;

/// <summary>
/// Subscribes <paramref name="Subscriber"/> (an actor of the same node, e.g. the limit actors' root) to the score
/// inputs the node's selector applies, so that it needs no DistributedPubSub subscription of its own: each member then
/// receives every peer's updates once (its selector) instead of once per consumer, and a consumer started after the
/// updates were published still learns them (the selector answers with a <see cref="SelectorFeedSnapshot"/> of what it
/// holds, which survives restarts through its own snapshot and journal catch-up). Published on the local
/// <c>EventStream</c> (the selector subscribes to it) or sent to the selector named by a
/// <see cref="SelectorFeedAvailable"/>; subscribing again replaces the earlier subscription and resends the snapshot.
/// Local only: never serialized.
/// </summary>
/// <param name="Subscriber">Receives the <see cref="SelectorFeedSnapshot"/>, then each relayed <see cref="PeerScoreInputs"/>.</param>
/// <param name="BansOnly">Relay only what concerns bans: updates carrying a ban, and the next update (or forget) of a
/// peer whose ban the selector held. False relays every applied update.</param>
public sealed record SubscribeSelectorFeed(IActorRef Subscriber, bool BansOnly);

/// <summary>
/// Published on the local <c>EventStream</c> by a selector when it starts, so that a consumer started before it (and
/// whose <see cref="SubscribeSelectorFeed"/> therefore reached no one) subscribes now. Local only.
/// </summary>
/// <param name="Selector">The selector to send <see cref="SubscribeSelectorFeed"/> to.</param>
public sealed record SelectorFeedAvailable(IActorRef Selector);

/// <summary>
/// The selector's current inputs for a new feed subscriber, in no particular order: with
/// <see cref="SubscribeSelectorFeed.BansOnly"/> those of the peers it holds a ban for (expired ones included: the
/// consumer compares with its clock), else every tracked peer's. Apply each as a <see cref="PeerScoreInputs"/> (the
/// versions make a later relayed update win). Local only.
/// </summary>
/// <param name="Inputs">The inputs.</param>
public sealed record SelectorFeedSnapshot(IReadOnlyList<PeerScoreInputs> Inputs);

/// <summary>The selector's feed subscribers (side protocol of <see cref="SelectorActor"/>; one actor owns it).</summary>
internal sealed class SelectorFeedSubscribers
{
    private readonly Dictionary<IActorRef, bool> _bansOnly = new();

    /// <summary>True when no one is subscribed (the relay then costs nothing).</summary>
    public bool IsEmpty => _bansOnly.Count == 0;

    /// <summary>Adds or replaces a subscription; returns whether the subscriber is new (to be watched).</summary>
    public bool Add(SubscribeSelectorFeed m)
    {
        bool added = !_bansOnly.ContainsKey(m.Subscriber);
        _bansOnly[m.Subscriber] = m.BansOnly;
        return added;
    }

    /// <summary>Drops a stopped subscriber; returns whether it was one.</summary>
    public bool Remove(IActorRef subscriber) => _bansOnly.Remove(subscriber);

    /// <summary>
    /// Relays an applied update: to every-update subscribers always, to bans-only ones when it carries a ban or
    /// <paramref name="hadBan"/> (the peer's ban is lifted, replaced or forgotten by it).
    /// </summary>
    public void Relay(PeerScoreInputs m, bool hadBan, IActorRef self)
    {
        bool banRelevant = hadBan || (m.BannedUntil is not null && !m.Forgotten);
        foreach (var (subscriber, bansOnly) in _bansOnly)
            if (!bansOnly || banRelevant)
                subscriber.Tell(m, self);
    }
}
