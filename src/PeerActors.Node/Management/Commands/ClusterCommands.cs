namespace PeerActors.Node.Management.Commands;

/// <summary><c>cluster show</c>: one row per member (address, status, roles, age rank, leader, reachable, self).</summary>
public sealed class ClusterShowCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ClusterShowCommand() : base("cluster", "show", "List cluster members with status, roles, age rank (1 = oldest Up member), leader and reachability") { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var rows = new List<IReadOnlyList<JsonNode?>>();
        var members = new JsonArray();
        // Member.UpNumber is internal in Akka.NET; expose the equivalent public fact: age rank among members
        // that have been Up (1 = oldest, via Member.IsOlderThan), blank for Joining/WeaklyUp members.
        var aged = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting).ToList();
        aged.Sort((a, b) => a.Equals(b) ? 0 : a.IsOlderThan(b) ? -1 : 1);
        foreach (var m in state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u))).OrderBy(m => m.Address.ToString(), StringComparer.Ordinal))
        {
            var isLeader = m.Address.Equals(state.Leader);
            var isSelf = m.Address.Equals(cluster.SelfAddress);
            var reachable = !unreachable.Contains(m.Address);
            var roles = string.Join(",", m.Roles.OrderBy(r => r, StringComparer.Ordinal));
            rows.Add(CommandResult.Row(m.Address.ToString(), m.Status.ToString(), roles, AgeRank(aged, m),
                isLeader ? "yes" : "", reachable ? "yes" : "NO", isSelf ? "*" : ""));
            members.Add(new JsonObject
            {
                ["address"] = m.Address.ToString(),
                ["status"] = m.Status.ToString(),
                ["roles"] = new JsonArray(m.Roles.OrderBy(r => r, StringComparer.Ordinal).Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
                ["ageRank"] = AgeRank(aged, m),
                ["leader"] = isLeader,
                ["reachable"] = reachable,
                ["self"] = isSelf,
            });
        }
        return Task.FromResult(CommandResult.Table(["address", "status", "roles", "age", "leader", "reachable", "self"], rows,
            new JsonObject { ["members"] = members }));
    }

    private static int? AgeRank(List<Member> aged, Member member)
    {
        var i = aged.IndexOf(member);
        return i < 0 ? null : i + 1;
    }
}

/// <summary><c>cluster status</c>: this node's view in one record.</summary>
public sealed class ClusterStatusCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ClusterStatusCommand() : base("cluster", "status", "This node's address and status, the leader, member and unreachable counts") { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var data = new JsonObject
        {
            ["selfAddress"] = cluster.SelfAddress.ToString(),
            ["selfStatus"] = cluster.SelfMember.Status.ToString(),
            ["selfRoles"] = string.Join(",", cluster.SelfRoles.OrderBy(r => r, StringComparer.Ordinal)),
            ["leader"] = state.Leader?.ToString(),
            ["members"] = state.Members.Count,
            ["up"] = state.Members.Count(m => m.Status == MemberStatus.Up),
            ["unreachable"] = state.Unreachable.Count,
        };
        var rows = data.Select(kv => CommandResult.Row(kv.Key, kv.Value)).ToList();
        return Task.FromResult(CommandResult.Table(["field", "value"], rows, data));
    }
}

/// <summary><c>cluster leave [address]</c>: graceful leave of a member (default: this node).</summary>
public sealed class ClusterLeaveCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ClusterLeaveCommand() : base("cluster", "leave", "Ask a member (default: this node) to leave the cluster gracefully",
        new ManagementArgument("address", "member address akka.tcp://system@host:port; default this node")) { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var address = args.Has("address") ? ParseAddress("address", args.RequireString("address")) : cluster.SelfAddress;
        cluster.Leave(address);
        return Task.FromResult(CommandResult.Success(new JsonObject { ["leaving"] = address.ToString() }));
    }
}

/// <summary>
/// <c>cluster down &lt;address&gt;</c>: mark a member down, and quarantine it from this node so that it is removed (and
/// its shards re-homed) without waiting for the failure detector.
/// </summary>
/// <remarks>
/// The leader removes a downed member only once it is unreachable or terminated; a crashed member still counts as
/// reachable until the failure detector gives up on it (about <c>acceptable-heartbeat-pause</c>, 5 s). Quarantining the
/// member's incarnation makes this node mark it TERMINATED at once (Akka.Cluster's reaction to a quarantine), so the
/// operator's decision takes effect on the next leader action. A downed member may not come back under the same
/// incarnation anyway: a live one learns it was downed or quarantined and shuts down, as with a plain down.
/// </remarks>
public sealed class ClusterDownCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ClusterDownCommand() : base("cluster", "down", "Mark a member as down (it is removed from the cluster)",
        new ManagementArgument("address", "member address akka.tcp://system@host:port", Required: true)) { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var address = ParseAddress("address", args.RequireString("address"));
        var cluster = Cluster.Get(system);
        var member = cluster.State.Members.Concat(cluster.State.Unreachable).FirstOrDefault(m => m.Address.Equals(address));
        if (member is null)
            return Task.FromResult(CommandResult.Invalid(new InvalidInputException("address", $"no member with address {address}")));
        cluster.Down(address);
        var quarantined = false;
        if (!address.Equals(cluster.SelfAddress) && ((ExtendedActorSystem)system).Provider is Akka.Remote.IRemoteActorRefProvider remote)
        {
            remote.Quarantine(address, member.UniqueAddress.Uid);
            quarantined = true;
        }
        return Task.FromResult(CommandResult.Success(new JsonObject { ["downed"] = address.ToString(), ["quarantined"] = quarantined }));
    }
}

/// <summary><c>cluster down-unreachable</c>: mark every unreachable member down.</summary>
public sealed class ClusterDownUnreachableCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ClusterDownUnreachableCommand() : base("cluster", "down-unreachable", "Mark every member this node sees as unreachable as down") { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var downed = new List<IReadOnlyList<string?>>();
        foreach (var m in cluster.State.Unreachable)
        {
            cluster.Down(m.Address);
            downed.Add([m.Address.ToString(), m.Status.ToString()]);
        }
        return Task.FromResult(CommandResult.Table(["downed", "previous-status"], downed,
            new JsonObject { ["downed"] = new JsonArray(downed.Select(r => (JsonNode)JsonValue.Create(r[0])!).ToArray()) }));
    }
}

/// <summary><c>cluster join &lt;address&gt;</c>: join this node to the cluster of the given seed.</summary>
public sealed class ClusterJoinCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ClusterJoinCommand() : base("cluster", "join", "Join this node to the cluster the given node belongs to",
        new ManagementArgument("address", "seed node address akka.tcp://system@host:port", Required: true)) { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var address = ParseAddress("address", args.RequireString("address"));
        Cluster.Get(system).Join(address);
        return Task.FromResult(CommandResult.Success(new JsonObject { ["joining"] = address.ToString() }));
    }
}
