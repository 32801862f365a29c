using PeerActors.Core.Bans;

namespace PeerActors.Limits;

/// <summary>
/// The root's view of each peer's standing, from the selector's feed (<c>PeerScoreInputs</c>): its ban (Core
/// <see cref="BanList"/>, versioned) and, with a reputation policy, its latest score inputs; and the <c>peer:ID</c>
/// limit that follows. Plain state owned by the root: the hot path never asks a peer actor. Times are the observation
/// clock (<see cref="Now"/>: a request's instant, else the root's <see cref="TimeProvider"/>).
/// </summary>
internal sealed class PeerStanding
{
    private readonly Dictionary<string, Core.Stats.PeerStatsState> _inputs = new(StringComparer.Ordinal); // only with a policy
    private readonly BanList _bans = new();
    private readonly TimeProvider _time;

    /// <param name="policy">The reputation policy of the limit configuration, or null (rcmgr's behaviour: PeerDefault).</param>
    /// <param name="time">The clock used when a request carries no instant.</param>
    public PeerStanding(ReputationLimitPolicy? policy, TimeProvider time)
    {
        Policy = policy;
        _time = time;
    }

    /// <summary>The reputation policy, or null.</summary>
    public ReputationLimitPolicy? Policy { get; }

    /// <summary><paramref name="at"/>, or the clock's now when null.</summary>
    public DateTimeOffset Now(DateTimeOffset? at = null) => at ?? _time.GetUtcNow();

    /// <summary>Keeps a peer's ban (and, with a policy, its inputs) from its published score inputs; a late older update is ignored.</summary>
    public void Apply(Selection.PeerScoreInputs? m)
    {
        if (m?.Stats is null) return;
        var id = m.Stats.PeerId.Value;
        var ban = m.BannedUntil is { } until && !m.Forgotten ? new PeerBan(until, m.BanReason ?? "", until) : null;
        if (!_bans.Update(id, ban, m.Version) || Policy is null) return;
        if (m.Forgotten) _inputs.Remove(id);
        else _inputs[id] = m.Stats;
    }

    /// <summary>The bans in force at <paramref name="now"/>.</summary>
    public IReadOnlyList<(string PeerId, PeerBan Ban)> ActiveBans(DateTimeOffset now) => _bans.ActiveAt(now);

    /// <summary>
    /// The refusal of <paramref name="peerId"/> at its peer scope while banned at <paramref name="at"/> (the message names
    /// the ban and its expiry, <see cref="ResourceLimitExceededException.Banned"/>), or null.
    /// </summary>
    public ResourceLimitExceededException? BanRefusal(string peerId, ResourceKind resource, Direction dir, DateTimeOffset? at) =>
        _bans.Count == 0 ? null : _bans.Check(peerId, resource, dir, Now(at));

    /// <summary>
    /// The limit of <c>peer:ID</c> at <paramref name="now"/> and why: an explicit <c>Peer[ID]</c> (defaults, file or
    /// <c>limits set</c>) wins; otherwise <c>PeerDefault</c>, scaled by the reputation policy when one is configured
    /// (<see cref="ReputationLimitPolicy.Scale"/>).
    /// </summary>
    public (BaseLimit Limit, string Why) PeerLimit(string id, DateTimeOffset now, ConcreteLimitConfig limits, LimitLayers layers)
    {
        if (limits.Peer.TryGetValue(id, out var explicitLimit))
            return (explicitLimit, $"configured Peer[{id}] ({SourceWord(layers, id)})");
        if (Policy is null) return (limits.PeerDefault, "PeerDefault (no reputation policy)");
        var (factor, why) = Policy.Evaluate(_inputs.GetValueOrDefault(id), _bans.Active(id, now), now);
        return (ReputationLimitPolicy.Scale(limits.PeerDefault, factor), "reputation: " + why);
    }

    /// <summary>The answer to <c>limits stat peer:ID</c>'s "why" (<see cref="ExplainPeerLimit"/>): the limit, the rule and any ban.</summary>
    public PeerLimitExplained Explain(string peerId, DateTimeOffset now, ConcreteLimitConfig limits, LimitLayers layers)
    {
        var (limit, why) = PeerLimit(peerId, now, limits, layers);
        var ban = _bans.Active(peerId, now);
        return new PeerLimitExplained(peerId, limit, ban is null ? why : ban.Describe() + ": refused at peer:" + peerId + "; otherwise " + why,
            ban?.Until, Policy is not null);
    }

    private static string SourceWord(LimitLayers layers, string id) =>
        layers.Set.Peer.ContainsKey(id) ? "limits set" : layers.File.Peer.ContainsKey(id) ? "limits file" : "defaults";
}
