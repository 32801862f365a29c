namespace PeerActors.Limits;

/// <summary>
/// Owns a service scope <c>svc:NAME</c> with its service-peer scopes <c>svc:NAME.peer:ID</c>, or a protocol scope
/// <c>protocol:ID</c> with its protocol-peer scopes <c>protocol:ID.peer:ID</c>. Sub-peer scopes are created when a
/// chain first reserves on them and dropped when empty. The main scope is constrained by system (in the root);
/// sub-peer scopes have no edges (as in rcmgr). Peer actors send it their stream chains directly, through a reference
/// the root leased to them; the root stops it only when idle and leased to no live peer actor.
/// </summary>
internal sealed class KeyedScopeActor : ScopeOwnerActor
{
    private readonly string _key;
    private readonly LimitScope _main;
    private readonly ScopeClass _subClass;
    private readonly string _subPrefix;
    private BaseLimit _subLimit;
    private int _subs;

    public KeyedScopeActor(ScopeClass cls, string key, BaseLimit limit, BaseLimit peerLimit, LimitsMetrics metrics) : base(metrics)
    {
        _key = key;
        string name = (cls == ScopeClass.Service ? "svc:" : "protocol:") + key;
        _main = new LimitScope(name, cls, limit) { Legs = [new Leg(Context.Parent, ["system"])] };
        Scopes[name] = _main;
        _subClass = cls == ScopeClass.Service ? ScopeClass.ServicePeer : ScopeClass.ProtocolPeer;
        _subPrefix = name + ".peer:";
        _subLimit = peerLimit;
    }

    public static Props Props(ScopeClass cls, string key, BaseLimit limit, BaseLimit peerLimit, LimitsMetrics metrics) =>
        Akka.Actor.Props.Create(() => new KeyedScopeActor(cls, key, limit, peerLimit, metrics));

    protected override bool RecheckAtRoot => true;

    protected override bool IsIdle => PendingCount == 0 && _subs == 0 && _main.Spans == 0 && _main.IsZero;

    protected override LimitScope? Find(string name, bool create)
    {
        if (Scopes.TryGetValue(name, out var s)) return s;
        if (!create || !name.StartsWith(_subPrefix, StringComparison.Ordinal)) return null;
        s = new LimitScope(name, _subClass, _subLimit);
        Scopes[name] = s;
        _subs++;
        return s;
    }

    protected override void AfterRelease(LimitScope s)
    {
        if (s.Class == _subClass && s.IsZero && s.Spans == 0 && Scopes.Remove(s.Name))
        {
            s.Closed = true;
            _subs--;
        }
    }

    protected override void OnCollectStat(CollectStat m) => m.ReplyTo.Tell(new CollectedStat(_key, _main.Stat));

    protected override LimitsReply StatOfMissing(string name) =>
        name.StartsWith(_subPrefix, StringComparison.Ordinal)
            ? new ScopeStatReply(name, default, _subLimit)
            : new LimitsFailure("scope", $"{name}: no such live scope");
}
