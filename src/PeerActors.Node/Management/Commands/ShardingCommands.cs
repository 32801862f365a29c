using Akka.Cluster.Sharding;

namespace PeerActors.Node.Management.Commands;

/// <summary>
/// <c>cluster sharding regions</c>: every entity type started on this node (ClusterSharding.ShardTypeNames) and,
/// per type, each region in the cluster with its shard and entity counts (GetClusterShardingStats).
/// </summary>
public sealed class ShardingRegionsCommand : ManagementCommandBase
{
    private readonly ManagementOptions _options;

    /// <summary>Creates the command.</summary>
    public ShardingRegionsCommand(ManagementOptions options)
        : base("cluster sharding", "regions", "Entity types and, per type, the regions with their shard and entity counts",
            new ManagementArgument("timeoutMs", "stats timeout in ms (default: the endpoint ask timeout)", ManagementArgumentKind.Int))
        => _options = options;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromMilliseconds(args.GetInt("timeoutMs", (int)_options.AskTimeout.TotalMilliseconds, 1, 600_000));
        var sharding = ClusterSharding.Get(system);
        var rows = new List<IReadOnlyList<JsonNode?>>();
        var types = new JsonArray();
        foreach (var typeName in sharding.ShardTypeNames.OrderBy(n => n, StringComparer.Ordinal))
        {
            var region = sharding.ShardRegion(typeName);
            var regions = new JsonArray();
            try
            {
                var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                foreach (var (address, regionStats) in stats.Regions.OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal))
                {
                    var shards = regionStats.Stats.Count;
                    var entities = regionStats.Stats.Values.Sum();
                    rows.Add(CommandResult.Row(typeName, address.ToString(), shards, entities));
                    regions.Add(new JsonObject { ["address"] = address.ToString(), ["shards"] = shards, ["entities"] = entities });
                }
                types.Add(new JsonObject { ["typeName"] = typeName, ["regions"] = regions });
            }
            catch (AskTimeoutException)
            {
                rows.Add(CommandResult.Row(typeName, "(stats timed out)", null, null));
                types.Add(new JsonObject { ["typeName"] = typeName, ["regions"] = regions, ["error"] = "stats timed out" });
            }
        }
        return CommandResult.Table(["type-name", "region", "shards", "entities"], rows, new JsonObject { ["types"] = types });
    }
}

/// <summary>
/// <c>cluster sharding region-stats &lt;typeName&gt;</c>: shards hosted by this node's region of the type and
/// their entity counts (GetShardRegionStats).
/// </summary>
public sealed class ShardingRegionStatsCommand : ManagementCommandBase
{
    private readonly ManagementOptions _options;

    /// <summary>Creates the command.</summary>
    public ShardingRegionStatsCommand(ManagementOptions options)
        : base("cluster sharding", "region-stats", "Shards and entity counts of this node's region of an entity type",
            new ManagementArgument("typeName", "entity type name (see 'cluster sharding regions')", Required: true),
            new ManagementArgument("timeoutMs", "timeout in ms (default: the endpoint ask timeout)", ManagementArgumentKind.Int))
        => _options = options;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var typeName = args.RequireString("typeName");
        var timeout = TimeSpan.FromMilliseconds(args.GetInt("timeoutMs", (int)_options.AskTimeout.TotalMilliseconds, 1, 600_000));
        var sharding = ClusterSharding.Get(system);
        if (!sharding.ShardTypeNames.Contains(typeName))
            throw new InvalidInputException("typeName",
                $"no sharded entity type '{typeName}' on this node; known: {string.Join(", ", sharding.ShardTypeNames.OrderBy(n => n, StringComparer.Ordinal))}");
        var stats = await sharding.ShardRegion(typeName).Ask<ShardRegionStats>(GetShardRegionStats.Instance, timeout, cancellationToken).ConfigureAwait(false);
        var rows = stats.Stats.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => CommandResult.Row(kv.Key, kv.Value)).ToList();
        var shards = new JsonObject();
        foreach (var (shardId, count) in stats.Stats.OrderBy(kv => kv.Key, StringComparer.Ordinal)) shards[shardId] = count;
        var data = new JsonObject
        {
            ["typeName"] = typeName,
            ["shards"] = shards,
            ["entities"] = stats.Stats.Values.Sum(),
        };
        return CommandResult.Table(["shard", "entities"], rows, data);
    }
}
