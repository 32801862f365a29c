namespace PeerActors.Node.Tests.Management;

/// <summary>peeractl's interactive shell driven through standard input, discovery of node commands, typed JSON.</summary>
[Collection(ManagementCollection.Name)]
public sealed class PeerCtlInteractiveTests(ManagementNodeFixture node)
{
    private async Task<(int Code, string Out, string Err)> ShellAsync(string stdin)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PeerCtl.RunAsync(["-H", node.OpenEndpoint], new StringReader(stdin), output, error, _ => null, null);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_shell_runs_each_line_keeps_history_and_stops_on_exit()
    {
        var (code, output, error) = await ShellAsync("cluster status\n\ncluster explode\nhistory\nexit\ncluster show\n");

        Assert.Equal(PeerCtl.ExitCodes.Ok, code);
        Assert.Contains("connected to", output);
        Assert.Contains("selfStatus", output);                       // cluster status ran
        Assert.Contains("unknown command 'cluster explode'", error);  // a bad line reports and the shell goes on
        Assert.Contains("(exit code 2)", error);
        Assert.Contains("   1  cluster status", output);
        Assert.Contains("   2  cluster explode", output);
        Assert.DoesNotContain("ADDRESS", output);                    // 'cluster show' after exit never ran
    }

    [Fact]
    public async Task A_tab_in_a_line_prints_the_completions_from_the_nodes_catalog()
    {
        var (_, output, _) = await ShellAsync("cluster sh\t\ncluster sharding \t\nactor hierarchy --\t\nte\t\n");

        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Contains("sharding", lines);
        Assert.Contains("show", lines);
        Assert.Contains("region-stats", lines);
        Assert.Contains("regions", lines);
        Assert.Contains("--max-children", lines);
        Assert.Contains("--depth", lines);
        Assert.Contains("test", lines); // TestEchoCommand, registered only on this node
    }

    [Fact]
    public async Task A_command_added_on_the_node_shows_up_in_commands_and_runs_by_name()
    {
        var list = await node.RunAsync("commands");
        Assert.Equal(PeerCtl.ExitCodes.Ok, list.ExitCode);
        Assert.Contains("echo", list.Out);

        var run = await node.RunAsync("test", "echo", "hello");   // no peeractl change: built from GET /v1/commands
        Assert.Equal(PeerCtl.ExitCodes.Ok, run.ExitCode);
        Assert.Contains("hello", run.Out);
    }

    [Fact]
    public async Task Json_rows_keep_numbers_numeric()
    {
        var run = await node.RunAsync("--json", "cluster", "status");

        Assert.Equal(PeerCtl.ExitCodes.Ok, run.ExitCode);
        var rows = JsonDocument.Parse(run.Out).RootElement.GetProperty("rows").EnumerateArray().ToList();
        var members = rows.Single(r => r[0].GetString() == "members")[1];
        Assert.Equal(JsonValueKind.Number, members.ValueKind);
        Assert.Equal(1, members.GetInt32());
    }

    [Fact]
    public async Task Argument_errors_are_http_400_and_exit_2()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"http://{node.OpenEndpoint}/v1/commands/cluster/down",
            new StringContent("""{"address":"not-an-address"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(PeerActors.Core.Errors.ErrorCodes.InvalidInput, body.GetProperty("code").GetString());

        var run = await node.RunAsync("cluster", "down", "not-an-address");
        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("invalid-input", run.Err);
    }

    [Fact]
    public void A_timeout_below_the_nodes_ask_timeout_is_raised_to_the_nodes_budget()
    {
        var catalog = new NodeCatalog([], TimeSpan.FromSeconds(30));
        var session = new PeerCtl.Session(PeerCtl.Globals.Scan(["--timeout", "2", "cluster", "show"], _ => null), null, TextWriter.Null, TextWriter.Null)
        {
            Catalog = catalog,
        };

        Assert.Equal(TimeSpan.FromSeconds(30) + PeerCtl.Grace, session.CommandTimeout);
    }
}
