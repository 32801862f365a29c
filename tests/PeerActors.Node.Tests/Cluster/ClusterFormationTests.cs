namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Real <c>peeractors run --config cluster</c> processes on loopback against one PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterFormationTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Three_node_processes_form_one_cluster_visible_from_every_node_with_the_token_enforced()
    {
        const string token = "s3cret-cluster-token";
        var cs = await postgres.CreateDatabaseAsync("formation");
        var started = DateTime.UtcNow;
        await using var cluster = await NodeCluster.StartAsync(output, cs, token: token);
        foreach (var node in cluster.Nodes)
            await ManagementHttp.WaitReachableAsync(node, Timeout);

        // `cluster show` on every node: the same 3 members, all Up (bounded poll: gossip converges).
        var expected = cluster.Nodes.Select(n => n.Address).Order().ToArray();
        foreach (var node in cluster.Nodes)
        {
            await Poll.UntilAsync(async () =>
            {
                var members = await ManagementHttp.MembersAsync(node.Endpoint, token);
                return members.Count == 3 && members.All(m => m.Status == "Up")
                    && members.Select(m => m.Address).Order().SequenceEqual(expected);
            }, Timeout, $"3 Up members seen by {node.Name}");
        }
        // `peeractl cluster show` (the CLI's entry point, in-process) lists the 3 members as Up.
        var (ctlCode, text, err) = await PeerCtlRun.RunAsync("--host", cluster.Nodes[1].Endpoint, "--token", token, "cluster", "show");
        Assert.True(ctlCode == 0, $"peeractl cluster show: exit {ctlCode}: {err}");
        foreach (var node in cluster.Nodes)
            Assert.Contains(text.Split('\n'), l => l.Contains(node.Address, StringComparison.Ordinal) && l.Contains("Up", StringComparison.Ordinal));
        var (refused, _, refusedErr) = await PeerCtlRun.RunAsync("--host", cluster.Nodes[1].Endpoint, "cluster", "show");
        Assert.NotEqual(0, refused);
        output.WriteLine($"peeractl without token: exit {refused}: {refusedErr.Trim()}");
        output.WriteLine($"3 nodes Up, seen by all, after {(DateTime.UtcNow - started).TotalSeconds:F1} s (process start included)");

        // Token: without it (or with a wrong one) refused, with it accepted.
        var (noToken, body) = await ManagementHttp.PostAsync(cluster.Nodes[0].Endpoint, "cluster show");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken);
        Assert.False(body?["ok"]?.GetValue<bool>());
        var (wrong, _) = await ManagementHttp.PostAsync(cluster.Nodes[0].Endpoint, "cluster show", null, "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        var (withToken, ok) = await ManagementHttp.PostAsync(cluster.Nodes[0].Endpoint, "cluster show", null, token);
        Assert.Equal(HttpStatusCode.OK, withToken);
        Assert.True(ok?["ok"]?.GetValue<bool>());

        // Graceful stop (SIGTERM): the node leaves (Leaving → Exiting) and exits 0; the others stay.
        var leaving = cluster.Nodes[2];
        var code = await leaving.StopAsync(Timeout);
        Assert.Equal(0, code);
        Assert.Contains(leaving.Lines, l => l.Contains($"Marked address [{leaving.Address}] as [Leaving]", StringComparison.Ordinal));
        await Poll.UntilAsync(async () =>
        {
            var members = await ManagementHttp.MembersAsync(cluster.Nodes[0].Endpoint, token);
            return members.Count == 2 && members.All(m => m.Status == "Up");
        }, Timeout, "2 Up members after the SIGTERM");
        Assert.False(cluster.Nodes[0].HasExited);
        Assert.False(cluster.Nodes[1].HasExited);
    }
}
