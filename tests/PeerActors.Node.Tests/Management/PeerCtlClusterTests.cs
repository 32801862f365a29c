namespace PeerActors.Node.Tests.Management;

[Collection(ManagementCollection.Name)]
public sealed class PeerCtlClusterTests(ManagementNodeFixture node)
{
    private static string[] TableRows(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(2).ToArray();

    [Fact]
    public async Task Cluster_show_table_lists_the_single_up_member()
    {
        var run = await node.RunAsync("cluster", "show");

        Assert.Equal(PeerCtl.ExitCodes.Ok, run.ExitCode);
        Assert.StartsWith("ADDRESS", run.Out);
        var rows = TableRows(run.Out);
        var row = Assert.Single(rows);
        Assert.Contains(Cluster.Get(node.System).SelfAddress.ToString(), row);
        Assert.Contains(" Up ", row);
    }

    [Fact]
    public async Task Cluster_show_json_has_one_up_member_that_is_leader_and_self()
    {
        var run = await node.RunAsync("--json", "cluster", "show");

        Assert.Equal(PeerCtl.ExitCodes.Ok, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        var member = Assert.Single(doc.RootElement.GetProperty("data").GetProperty("members").EnumerateArray());
        Assert.Equal("Up", member.GetProperty("status").GetString());
        Assert.True(member.GetProperty("leader").GetBoolean());
        Assert.True(member.GetProperty("self").GetBoolean());
        Assert.True(member.GetProperty("reachable").GetBoolean());
        Assert.Equal(1, member.GetProperty("ageRank").GetInt32());
    }

    [Fact]
    public async Task Cluster_status_reports_self_up_and_counts()
    {
        var human = await node.RunAsync("cluster", "status");
        var json = await node.RunAsync("cluster", "status", "--json");

        Assert.Equal(0, human.ExitCode);
        Assert.Contains(TableRows(human.Out), r => r.StartsWith("selfStatus") && r.EndsWith("Up"));
        var data = JsonDocument.Parse(json.Out).RootElement.GetProperty("data");
        Assert.Equal(Cluster.Get(node.System).SelfAddress.ToString(), data.GetProperty("selfAddress").GetString());
        Assert.Equal(data.GetProperty("selfAddress").GetString(), data.GetProperty("leader").GetString());
        Assert.Equal(1, data.GetProperty("members").GetInt32());
        Assert.Equal(1, data.GetProperty("up").GetInt32());
        Assert.Equal(0, data.GetProperty("unreachable").GetInt32());
    }

    [Fact]
    public async Task Cluster_down_with_a_malformed_address_fails_naming_the_argument()
    {
        var run = await node.RunAsync("cluster", "down", "not-an-address");

        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("address", run.Err);
    }

    [Fact]
    public async Task Cluster_down_of_an_unknown_member_is_a_failure_result()
    {
        var run = await node.RunAsync("cluster", "down", "akka.tcp://mgmt-test@127.0.0.1:1");

        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("no member", run.Err);
    }

    [Fact]
    public async Task Cluster_down_unreachable_with_none_unreachable_downs_nothing()
    {
        var run = await node.RunAsync("--json", "cluster", "down-unreachable");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(JsonDocument.Parse(run.Out).RootElement.GetProperty("data").GetProperty("downed").EnumerateArray());
        Assert.Single(Cluster.Get(node.System).State.Members);
    }

    [Fact]
    public async Task Actor_hierarchy_shows_the_test_actor_tree()
    {
        var run = await node.RunAsync("actor", "hierarchy");

        Assert.Equal(0, run.ExitCode);
        var rows = TableRows(run.Out);
        Assert.StartsWith("/user", rows[0]);
        Assert.Contains(rows, r => r.StartsWith("├─ test-parent") || r.StartsWith("└─ test-parent"));
        Assert.Contains(rows, r => r.Contains("├─ child-a") && r.Contains("/user/test-parent/child-a"));
        Assert.Contains(rows, r => r.Contains("└─ child-b"));
        Assert.DoesNotContain(rows, r => r.StartsWith("/system"));
    }

    [Fact]
    public async Task Actor_hierarchy_depth_limit_and_system_flag()
    {
        var run = await node.RunAsync("actor", "hierarchy", "--depth", "1", "--system");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("test-parent", run.Out);
        Assert.DoesNotContain("child-a", run.Out);
        Assert.Contains("2 children (depth limit)", run.Out);
        Assert.Contains(TableRows(run.Out), r => r.StartsWith("/system"));
    }

    [Fact]
    public async Task Sharding_regions_lists_the_started_entity_type_with_its_region()
    {
        var run = await node.RunAsync("--json", "cluster", "sharding", "regions");

        Assert.Equal(0, run.ExitCode);
        var types = JsonDocument.Parse(run.Out).RootElement.GetProperty("data").GetProperty("types").EnumerateArray().ToList();
        var type = Assert.Single(types, t => t.GetProperty("typeName").GetString() == ManagementNodeFixture.EntityType);
        var region = Assert.Single(type.GetProperty("regions").EnumerateArray());
        Assert.Equal(Cluster.Get(node.System).SelfAddress.ToString(), region.GetProperty("address").GetString());
        Assert.True(region.GetProperty("shards").GetInt32() >= 1);
        Assert.True(region.GetProperty("entities").GetInt32() >= 1);

        var human = await node.RunAsync("cluster", "sharding", "regions");
        Assert.Contains(TableRows(human.Out), r => r.StartsWith(ManagementNodeFixture.EntityType));
    }

    [Fact]
    public async Task Sharding_region_stats_counts_the_entity_on_this_node()
    {
        var run = await node.RunAsync("--json", "cluster", "sharding", "region-stats", ManagementNodeFixture.EntityType);

        Assert.Equal(0, run.ExitCode);
        var data = JsonDocument.Parse(run.Out).RootElement.GetProperty("data");
        Assert.True(data.GetProperty("entities").GetInt32() >= 1);
        Assert.NotEmpty(data.GetProperty("shards").EnumerateObject());
    }

    [Fact]
    public async Task Sharding_region_stats_of_an_unknown_type_names_the_argument()
    {
        var run = await node.RunAsync("cluster", "sharding", "region-stats", "no-such-type");

        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("no-such-type", run.Err);
        Assert.Contains(ManagementNodeFixture.EntityType, run.Err);
    }
}
