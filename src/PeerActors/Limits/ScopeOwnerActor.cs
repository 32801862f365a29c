namespace PeerActors.Limits;

/// <summary>
/// Base of the limit actors: owns a set of <see cref="LimitScope"/> and implements the reservation-chain
/// protocol, memory reservations, spans and stats on them.
/// <para>
/// <b>Reserving on a scope S</b> (the actor owning S is the <em>origin</em>): (1) reserve the delta on S and on
/// S's edges held by the same actor, all or nothing; (2) if S has edges in other actors (<c>Legs</c>), send one
/// <c>ChainReserve</c> through them in order — each leg reserves on its scopes all or nothing and forwards the
/// chain; a refusing leg sends <c>ChainRelease</c> to every earlier leg and a refusal to the origin; the last
/// leg reports success to the origin; (3) on refusal the origin releases its local part. Counters only ever grow
/// after a check in their owning actor, so no scope is over-committed whatever the concurrency; a reservation
/// that is later rolled back may make a concurrent one fail (conservative, never over-committing).
/// </para>
/// <para>While a chain for a stream or connection (or a span under one) is in flight, further operations on it
/// are deferred and replayed in order, so "move" operations (SetProtocol, SetPeer) see a stable stat.</para>
/// </summary>
internal abstract class ScopeOwnerActor : UntypedActor
{
    protected readonly Dictionary<string, LimitScope> Scopes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (Action<object, LimitRefused?> Then, object State)> _pending = new();
    private long _token;
    private long _fromRoot;
    private long _noticeAt = -1;

    protected ScopeOwnerActor(LimitsMetrics metrics) => Metrics = metrics;

    protected LimitsMetrics Metrics { get; }

    /// <summary>Counts an allowed reservation of <paramref name="resource"/> on a scope of class <paramref name="cls"/> and acks.</summary>
    protected void Admit(ResourceKind resource, ScopeClass cls, IActorRef replyTo)
    {
        Metrics.Allowed(resource, cls);
        replyTo.Tell(LimitsAck.Instance);
    }

    /// <summary>Counts a refusal and answers it (the typed <see cref="LimitRefused"/>, never a timeout).</summary>
    protected void Refuse(LimitRefused refusal, IActorRef replyTo)
    {
        Metrics.Blocked(refusal);
        replyTo.Tell(refusal);
    }

    /// <summary>True when the actor holds nothing and may be stopped.</summary>
    protected virtual bool IsIdle => _pending.Count == 0 && Scopes.Count == 0;

    protected int PendingCount => _pending.Count;

    protected sealed override void OnReceive(object message)
    {
        if (LimitsDiagnostics.Enabled) Interlocked.Increment(ref LimitsDiagnostics.ActorMessages);
        bool fromRoot = message is IFromRoot; // one interface test per message
        if (fromRoot) _fromRoot++;
        if (message is Routed r)
            Dispatch(r.Request, r.ReplyTo);
        else
            Dispatch(message, Sender);

        // Idle handshake: after a root message (a probe included) an idle child says so, with the number of root
        // messages seen, so the root stops it only if it sent nothing since (see LimitsRootActor.OnSweep). Messages
        // from elsewhere (a client's direct request, a peer's chain) never trigger a notice: the next probe finds out,
        // so a stream cycle costs no notice.
        if (fromRoot && IsChild && _noticeAt != _fromRoot && IsIdle)
        {
            _noticeAt = _fromRoot;
            Context.Parent.Tell(new IdleNotice(_fromRoot));
        }
    }

    /// <summary>
    /// True for actors whose scopes' releases the root may hold (protocol and service actors, see
    /// <see cref="StreamReleased"/>): a refusal of a chain that did not come through the root is rechecked there first.
    /// </summary>
    protected virtual bool RecheckAtRoot => false;

    /// <summary>True for children of the root (they take part in the idle handshake).</summary>
    protected virtual bool IsChild => true;

    /// <summary>Handles one message with its reply target.</summary>
    protected virtual void Dispatch(object message, IActorRef replyTo)
    {
        switch (message)
        {
            case ChainReserve c: OnChainReserve(c); break;
            case ChainRelease c: OnChainRelease(c); break;
            case ChainReleases c: OnChainReleases(c); break;
            case Recheck r: OnChainReserve(r.Chain); break;
            case ChainResult c:
                if (_pending.Remove(c.Token, out var k)) k.Then(k.State, c.Refusal);
                break;
            case TicketReturn: break;
            case IdleProbe: break; // answered after dispatch, as every root message
            case ReserveMemory m: OnReserveMemory(m, replyTo); break;
            case ReleaseMemory m: OnReleaseMemory(m, replyTo); break;
            case BeginSpan m: OnBeginSpan(m, replyTo); break;
            case Done m: OnDone(m.Span, replyTo); break;
            case Close m: OnClose(m, replyTo); break;
            case GetStat m: OnGetStat(m, replyTo); break;
            case ChildSetLimit m: OnSetLimit(m, replyTo); break;
            case CollectStat m: OnCollectStat(m); break;
            default: Unhandled(message); break;
        }
    }

    // ------------------------------------------------------------------ scopes

    /// <summary>Finds a live scope; chain legs may create sub-scopes (<paramref name="create"/>).</summary>
    protected virtual LimitScope? Find(string name, bool create) =>
        Scopes.TryGetValue(name, out var s) ? s : null;

    /// <summary>Called after a release so that empty sub-scopes can be dropped.</summary>
    protected virtual void AfterRelease(LimitScope s)
    {
    }

    protected virtual void OnCollectStat(CollectStat m) => Unhandled(m);

    /// <summary>The scope, then its local edges (a span: the span, then its parent's path).</summary>
    protected static LimitScope[] LocalPath(LimitScope s)
    {
        if (s.Parent is null)
        {
            if (s.LocalEdges.Length == 0) return [s];
            var a = new LimitScope[1 + s.LocalEdges.Length];
            a[0] = s;
            s.LocalEdges.CopyTo(a, 1);
            return a;
        }

        var list = new List<LimitScope>();
        for (var x = s; x is not null; x = x.Parent)
        {
            list.Add(x);
            if (x.Parent is null) list.AddRange(x.LocalEdges);
        }

        return list.ToArray();
    }

    protected static Leg[] LegsOf(LimitScope s)
    {
        while (s.Parent is not null) s = s.Parent;
        return s.Legs;
    }

    /// <summary>The top of a span chain (the DAG scope a span reserves through).</summary>
    protected static LimitScope Anchor(LimitScope s)
    {
        while (s.Parent is not null) s = s.Parent;
        return s;
    }

    private static bool Movable(LimitScope anchor) => anchor.Class is ScopeClass.Stream or ScopeClass.Connection;

    /// <summary>Defers the message when its anchor has a chain in flight; returns true when deferred.</summary>
    protected static bool DeferIfBusy(LimitScope anchor, object message, IActorRef replyTo)
    {
        if (!anchor.Busy) return false;
        (anchor.Deferred ??= new Queue<(object, IActorRef)>()).Enqueue((message, replyTo));
        return true;
    }

    /// <summary>Ends a busy period and replays deferred messages in order.</summary>
    protected void Resume(LimitScope anchor)
    {
        anchor.Busy = false;
        while (!anchor.Busy && anchor.Deferred is { Count: > 0 } q)
        {
            var (msg, replyTo) = q.Dequeue();
            Dispatch(msg, replyTo);
        }
    }

    // ------------------------------------------------------------------ chains

    /// <summary>Starts a chain through <paramref name="legs"/> with this actor as origin.</summary>
    protected void StartChain(in ScopeStat delta, byte priority, Leg[] legs, Action<LimitRefused?> then) =>
        StartChain(delta, priority, legs, RunAction, then);

    /// <summary>
    /// Starts a chain whose continuation is <paramref name="then"/>(<paramref name="state"/>, refusal): with a cached
    /// delegate and a state object that exists anyway, a hot path allocates no closure per chain.
    /// </summary>
    protected void StartChain(in ScopeStat delta, byte priority, Leg[] legs, Action<object, LimitRefused?> then, object state) =>
        legs[0].Actor.Tell(new ChainReserve(delta, priority, legs, 0, Self, AddPending(then, state)));

    private static readonly Action<object, LimitRefused?> RunAction = static (state, r) => ((Action<LimitRefused?>)state)(r);

    /// <summary>Registers the continuation of a chain started by other means (e.g. through the root); returns its token.</summary>
    protected long AddPending(Action<object, LimitRefused?> then, object state)
    {
        long t = ++_token;
        _pending[t] = (then, state);
        return t;
    }

    private void OnChainReserve(ChainReserve c)
    {
        var leg = c.Legs[c.Index];
        if (leg.Ticket) _fromRoot++;
        // Releases the root held for this actor ride on the chain: applied first, so the reservation sees them.
        if (c.Carry?[c.Index] is { } carried) OnChainReleases(carried);
        // All or nothing on this leg's scopes, in order (no array per hop: this runs on every chain).
        var names = leg.Scopes;
        LimitRefused? refusal = null;
        int n = 0;
        for (; n < names.Length; n++)
        {
            var scope = Find(names[n], create: true) ?? throw new InvalidOperationException($"unknown scope {names[n]}");
            if ((refusal = LimitRefused.FromOrNull(scope.TryReserve(c.Delta, c.Priority))) is not null) break;
        }

        if (refusal is not null)
        {
            for (int i = 0; i <= n; i++)
            {
                var scope = Find(names[i], create: false)!;
                if (i < n) scope.Release(c.Delta);
                AfterRelease(scope); // drops a sub-peer scope this chain created
            }

            // A chain that did not come through the root (a ticket leg did: the root sent its held releases first) may
            // be refused for want of releases the root holds for this actor: ask for them, and reserve again after.
            if (RecheckAtRoot && !leg.Ticket && !c.Rechecked)
            {
                Context.Parent.Tell(new RecheckRequest(c));
                return;
            }

            for (int i = 0; i < c.Index; i++)
                c.Legs[i].Actor.Tell(new ChainRelease(c.Delta, c.Legs[i].Scopes));
            // Legs the chain will not reach give their tickets back (idle handshake).
            for (int i = c.Index + 1; i < c.Legs.Length; i++)
            {
                if (c.Carry?[i] is { } theirs) c.Legs[i].Actor.Tell(theirs); // releases that rode for them, never lost
                if (c.Legs[i].Ticket) c.Legs[i].Actor.Tell(TicketReturn.Instance);
            }
            if (c.End is { } end)
                c.Origin.Tell(new OpenRefused(c.Delta, end, refusal));
            else
                c.Origin.Tell(new ChainResult(c.Token, refusal));
            return;
        }

        if (c.Index + 1 < c.Legs.Length)
            c.Legs[c.Index + 1].Actor.Tell(c with { Index = c.Index + 1, Rechecked = false }); // the next leg may ask for its own held releases
        else if (c.End is { } end)
            end.Peer.Tell(end.Open); // the chain's success is the open itself: no result back to the origin
        else
            c.Origin.Tell(new ChainResult(c.Token, null));
    }

    private void OnChainRelease(ChainRelease c) => ReleaseNamed(c.Delta, c.Scopes);

    /// <summary>Releases <paramref name="delta"/> on the named scopes of this actor (those still live).</summary>
    protected void ReleaseNamed(in ScopeStat delta, string[] scopes)
    {
        foreach (var name in scopes)
        {
            if (Find(name, create: false) is { } s)
            {
                s.Release(delta);
                AfterRelease(s);
            }
        }
    }

    private void OnChainReleases(ChainReleases c)
    {
        foreach (var r in c.Items) ReleaseNamed(r.Delta, r.Scopes);
    }

    /// <summary>Reserves <paramref name="d"/> on <paramref name="s"/>, its local edges and its remote legs.</summary>
    protected void ReserveOn(LimitScope s, ScopeStat d, byte priority, Action<LimitRefused?> done)
    {
        var local = LocalPath(s);
        var r = LimitRefused.FromOrNull(ScopeAccount.TryReserveAll(local, d, priority));
        if (r is not null)
        {
            done(r);
            return;
        }

        var legs = LegsOf(s);
        if (legs.Length == 0)
        {
            done(null);
            return;
        }

        var anchor = Anchor(s);
        bool movable = Movable(anchor);
        if (movable) anchor.Busy = true;
        StartChain(d, priority, legs, refusal =>
        {
            if (refusal is not null)
            {
                ScopeAccount.ReleaseAll(local, d);
                foreach (var x in local) AfterRelease(x);
            }

            done(refusal);
            if (movable) Resume(anchor);
        });
    }

    /// <summary>Releases <paramref name="d"/> from <paramref name="s"/>, its local edges and remote legs.</summary>
    protected void ReleaseOn(LimitScope s, in ScopeStat d)
    {
        var local = LocalPath(s);
        foreach (var x in local)
        {
            x.Release(d);
            AfterRelease(x);
        }

        foreach (var leg in LegsOf(s))
            leg.Actor.Tell(new ChainRelease(d, leg.Scopes));
    }

    // ------------------------------------------------------------------ memory, spans, stat

    private LimitScope? Target(ScopeRef scope, IActorRef replyTo)
    {
        var s = Find(scope.Name, create: false);
        if (s is null || s.Closed)
        {
            replyTo.Tell(new LimitsFailure("scope", $"{scope.Name}: resource scope closed"));
            return null;
        }

        return s;
    }

    private void OnReserveMemory(ReserveMemory m, IActorRef replyTo)
    {
        if (m.Size < 0)
        {
            replyTo.Tell(new LimitsFailure("size", $"can't reserve negative memory, got {m.Size}"));
            return;
        }

        if (Target(m.Scope, replyTo) is not { } s) return;
        if (DeferIfBusy(Anchor(s), m, replyTo)) return;
        ReserveOn(s, new ScopeStat(m.Size, 0, 0, 0, 0, 0), m.Priority, r =>
        {
            if (r is null)
            {
                Admit(ResourceKind.Memory, s.Class, replyTo);
            }
            else
            {
                Refuse(r, replyTo);
            }
        });
    }

    private void OnReleaseMemory(ReleaseMemory m, IActorRef replyTo)
    {
        if (m.Size < 0)
        {
            replyTo.Tell(new LimitsFailure("size", $"can't release negative memory, got {m.Size}"));
            return;
        }

        var s = Find(m.Scope.Name, create: false);
        if (s is null || s.Closed)
        {
            replyTo.Tell(LimitsAck.Instance); // rcmgr: ignored when done
            return;
        }

        if (DeferIfBusy(Anchor(s), m, replyTo)) return;
        // Release no more than the scope holds, so edges are not released for memory the scope never had.
        ReleaseOn(s, new ScopeStat(Math.Min(m.Size, s.Memory), 0, 0, 0, 0, 0));
        replyTo.Tell(LimitsAck.Instance);
    }

    private void OnBeginSpan(BeginSpan m, IActorRef replyTo)
    {
        if (Target(m.Scope, replyTo) is not { } s) return;
        var span = new LimitScope($"{s.Name}.span-{++s.SpanSeq}", ScopeClass.Span, s.Limit) { Parent = s };
        s.Spans++;
        Scopes[span.Name] = span;
        replyTo.Tell(new SpanOpened(new SpanHandle(span.Name, Self)));
    }

    /// <summary>Ends a span: releases its usage through its parent and drops it and its sub-spans.</summary>
    protected void OnDone(ScopeRef span, IActorRef replyTo)
    {
        var s = Find(span.Name, create: false);
        if (s is null || s.Closed || s.Parent is null)
        {
            if (s is not null && s.Parent is null)
                replyTo.Tell(new LimitsFailure("span", $"{span.Name}: not a span (use Close)"));
            else
                replyTo.Tell(LimitsAck.Instance);
            return;
        }

        if (DeferIfBusy(Anchor(s), new Done(span), replyTo)) return;
        if (!s.IsZero) ReleaseOn(s.Parent, s.Stat);
        DropSpanTree(s);
        replyTo.Tell(LimitsAck.Instance);
    }

    /// <summary>Removes <paramref name="s"/> and every span under it (their usage is already released with it).</summary>
    protected void DropSpanTree(LimitScope s)
    {
        if (s.Spans > 0)
        {
            foreach (var child in Scopes.Values.Where(x => x.Parent == s).ToList())
                DropSpanTree(child);
        }

        s.Closed = true;
        Scopes.Remove(s.Name);
        if (s.Parent is { } p)
        {
            p.Spans--;
            AfterRelease(p);
        }
    }

    /// <summary>Closes a scope; the base handles spans, subclasses streams / connections.</summary>
    protected virtual void OnClose(Close m, IActorRef replyTo) => OnDone(m.Scope, replyTo);

    protected virtual void OnGetStat(GetStat m, IActorRef replyTo)
    {
        var s = Find(m.Scope.Name, create: false);
        if (s is null || s.Closed)
            replyTo.Tell(StatOfMissing(m.Scope.Name));
        else
            replyTo.Tell(new ScopeStatReply(s.Name, s.Stat, s.Limit));
    }

    /// <summary>Reply for a stat request on a scope that is not live.</summary>
    protected virtual LimitsReply StatOfMissing(string name) => new LimitsFailure("scope", $"{name}: no such live scope");

    private void OnSetLimit(ChildSetLimit m, IActorRef replyTo)
    {
        var s = Find(m.Scope, create: false);
        if (s is null)
        {
            m.ReplyTo.Tell(new LimitsFailure("scopeName", $"no live scope named '{m.Scope}' (service-peer, protocol-peer, connection and stream scopes must be live)"));
            return;
        }

        s.Limit = m.Limit;
        m.ReplyTo.Tell(LimitsAck.Instance);
    }
}
