using System.Reflection;
using System.Text;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace PeerActors.Hosting;

/// <summary>
/// The failure-detection, split-brain-resolver and sharding timings every member of a PeerActors cluster must share
/// (embedded resource <c>cluster-contract.conf</c>, each key explained there). <see cref="PeerActorsHostingExtensions.WithPeerActors"/>
/// and <see cref="PeerActorsHostingExtensions.WithPeerActorsProxy"/> add it as a fallback, so a service that only
/// sends to peers joins with the same downing rules as the nodes. This matters because the cluster leader, which takes
/// the split-brain resolver's decision, is the member with the lowest address whatever its role.
/// </summary>
public static class ClusterContract
{
    private const string ResourceName = "PeerActors.Hosting.cluster-contract.conf";

    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(ClusterContract).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(ClusterContract).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// The contract as HOCON, with <c>akka.cluster.split-brain-resolver.keep-majority.role</c> set to
    /// <paramref name="shardingRole"/> (only peer-hosting members vote in the majority).
    /// </summary>
    /// <param name="shardingRole">The role of the peer-hosting members (<see cref="PeerActorsOptions.Role"/>).</param>
    /// <returns>The HOCON configuration.</returns>
    /// <exception cref="ArgumentException"><paramref name="shardingRole"/> is empty or holds a quote or backslash.</exception>
    public static Config For(string shardingRole)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(shardingRole);
        if (shardingRole.IndexOfAny(['"', '\\']) >= 0)
            throw new ArgumentException($"role {shardingRole}: must not contain a quote or backslash", nameof(shardingRole));
        return ConfigurationFactory.ParseString(
            $"akka.cluster.split-brain-resolver.keep-majority.role = \"{shardingRole}\"\n" + Text.Value);
    }

    /// <summary>
    /// The contract to prepend to <paramref name="current"/> (the builder's configuration so far): every contract key,
    /// except those the application has already set to a value other than Akka's own default, which keep that value.
    /// Why not a plain fallback: <c>WithClustering</c> appends Akka.Cluster.Sharding's and the singleton's reference
    /// configuration before PeerActors is added, so as a fallback every <c>akka.cluster.sharding</c> key of the
    /// contract lost to Akka's default (measured: a retry-interval of 2 s and an updating-state-timeout of 5 s where the
    /// contract says 500 ms and 1 s). A key set to exactly Akka's default counts as not set.
    /// </summary>
    /// <param name="contract">The contract (<see cref="For"/>).</param>
    /// <param name="current">The configuration built so far; null or empty when nothing was added yet.</param>
    /// <returns>The configuration to add with <c>HoconAddMode.Prepend</c>.</returns>
    public static Config Over(Config contract, Config? current)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if (current is null || current.IsEmpty) return contract;
        var defaults = ClusterSharding.DefaultConfig().WithFallback(ClusterSingleton.DefaultConfig());
        var kept = new StringBuilder();
        foreach (var path in LeafPaths(contract.Root, ""))
        {
            if (!current.HasPath(path)) continue;
            var value = current.GetString(path);
            if (defaults.HasPath(path) && defaults.GetString(path) == value) continue;
            kept.Append(path).Append(" = \"").Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\"\n");
        }
        return kept.Length == 0 ? contract : ConfigurationFactory.ParseString(kept.ToString()).WithFallback(contract);
    }

    private static IEnumerable<string> LeafPaths(HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }
        foreach (var (key, child) in value.GetObject().Items)
            foreach (var path in LeafPaths(child, prefix.Length == 0 ? key : prefix + "." + key))
                yield return path;
    }
}
