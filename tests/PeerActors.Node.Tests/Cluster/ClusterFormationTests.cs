using Xunit;
using Xunit.Abstractions;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Real <c>peeractors run --config cluster</c> processes on loopback against one PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterFormationTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Three_node_processes_form_one_cluster_and_a_sigterm_node_leaves_gracefully()
    {
        var cs = await postgres.CreateDatabaseAsync("formation");
        var started = DateTime.UtcNow;
        await using var cluster = await NodeCluster.StartAsync(output, cs);
        foreach (var node in cluster.Nodes)
            await cluster.WaitMemberStatusLoggedAsync(node.Address, "Up", Timeout);
        output.WriteLine($"3 nodes Up after {(DateTime.UtcNow - started).TotalSeconds:F1} s (process start included)");

        // Graceful stop: the node leaves (Leaving → Exiting → Removed) and exits 0.
        var leaving = cluster.Nodes[2];
        var code = await leaving.StopAsync(Timeout);
        Assert.Equal(0, code);
        Assert.Contains(leaving.Lines, l => l.Contains($"Marked address [{leaving.Address}] as [Leaving]", StringComparison.Ordinal));
        await cluster.WaitMemberStatusLoggedAsync(leaving.Address, "Exiting", Timeout);
        Assert.False(cluster.Nodes[0].HasExited);
        Assert.False(cluster.Nodes[1].HasExited);
    }
}
