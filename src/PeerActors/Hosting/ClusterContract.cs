using System.Reflection;
using Akka.Configuration;

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
}
