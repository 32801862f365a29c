namespace PeerActors.Node.Tests.Management;

[Collection(ManagementCollection.Name)]
public sealed class PeerCtlProtocolTests(ManagementNodeFixture node)
{
    [Fact]
    public async Task Unknown_command_is_a_usage_error_with_a_message()
    {
        var run = await node.RunAsync("cluster", "explode");

        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("explode", run.Err);
        Assert.Equal("", run.Out);
    }

    /// <summary>Usage errors (exit code 2), named by the mistake: the arguments, and what stderr must say.</summary>
    public static TheoryData<string, string[], string[]> UsageErrors() => new()
    {
        { "missing required argument", ["cluster", "down"], ["peeractl: error:"] },
        // A palette peeractl knows but the node does not register: reported as unknown there, with what the node has.
        { "palette not registered on the node", ["peer", "show", "abc"], ["unknown command 'peer show'", "'cluster show'"] },
        // Argument errors found by a command registered by another component: its own message.
        { "argument error from the command", ["exec", "test", "echo"], ["'msg' is required"] },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Usage_errors_exit_with_the_usage_code_and_say_why(string mistake, string[] args, string[] inErr)
    {
        var run = await node.RunAsync(args);

        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Usage, $"{mistake}: exit code {run.ExitCode}");
        foreach (var text in inErr) Assert.Contains(text, run.Err);
    }

    [Fact]
    public async Task Commands_lists_registered_commands_including_extensions()
    {
        var run = await node.RunAsync("--json", "commands");

        Assert.Equal(0, run.ExitCode);
        var commands = JsonDocument.Parse(run.Out).RootElement.GetProperty("data").GetProperty("commands").EnumerateArray()
            .Select(c => c.GetProperty("palette").GetString() + " " + c.GetProperty("name").GetString()).ToList();
        Assert.Contains("cluster sharding region-stats", commands);
        Assert.Contains("actor hierarchy", commands);
        Assert.Contains("test echo", commands);
    }

    [Fact]
    public async Task Exec_reaches_a_command_registered_by_another_component()
    {
        var run = await node.RunAsync("exec", "test", "echo", "--arg", "msg=hello world");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("echo : hello world", run.Out);
    }

    [Fact]
    public async Task Without_a_token_the_token_protected_endpoint_refuses_with_401()
    {
        var run = await node.RunAgainstAsync(node.TokenEndpoint, null, "cluster", "show");

        Assert.Equal(PeerCtl.ExitCodes.Unauthorized, run.ExitCode);
        Assert.Contains("401", run.Err);
        Assert.Contains("--token", run.Err);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_401()
    {
        var run = await node.RunAgainstAsync(node.TokenEndpoint, null, "--token", "s3cret-tokeX", "cluster", "show");

        Assert.Equal(PeerCtl.ExitCodes.Unauthorized, run.ExitCode);
    }

    [Fact]
    public async Task The_right_token_from_the_option_or_the_environment_succeeds()
    {
        var byOption = await node.RunAgainstAsync(node.TokenEndpoint, null, "--token", ManagementNodeFixture.Token, "cluster", "status");
        var byEnv = await node.RunAgainstAsync(null,
            new() { [PeerCtl.HostVariable] = node.TokenEndpoint, [PeerCtl.TokenVariable] = ManagementNodeFixture.Token },
            "cluster", "status");

        Assert.Equal(PeerCtl.ExitCodes.Ok, byOption.ExitCode);
        Assert.Equal(PeerCtl.ExitCodes.Ok, byEnv.ExitCode);
        Assert.Contains("selfStatus", byEnv.Out);
    }

    [Fact]
    public async Task The_command_list_is_token_protected_too()
    {
        var run = await node.RunAgainstAsync(node.TokenEndpoint, null, "commands");

        Assert.Equal(PeerCtl.ExitCodes.Unauthorized, run.ExitCode);
    }

    [Fact]
    public async Task Connection_refused_is_reported_with_its_own_exit_code()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var run = await node.RunAgainstAsync($"127.0.0.1:{port}", null, "cluster", "show");

        Assert.Equal(PeerCtl.ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("cannot reach node", run.Err);
    }

    [Fact]
    public async Task A_malformed_host_is_a_usage_error()
    {
        var run = await node.RunAgainstAsync("127.0.0.1:notaport", null, "cluster", "show");

        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--host", run.Err);
    }
}

public sealed class ManagementOptionsTests
{
    [Theory]
    [InlineData("0.0.0.0:9110")]
    [InlineData("10.1.2.3:0")]
    [InlineData("[::]:9110")]
    public void Non_loopback_bind_without_token_refuses_naming_the_key(string bind)
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidInputException>(() => services.AddPeerActorsManagement(new ManagementOptions { Endpoint = bind }));

        Assert.Equal(ManagementOptions.TokenKey, ex.Field);
        Assert.Contains("peeractors.management.token", ex.Message);
        Assert.Empty(services);
    }

    [Fact]
    public async Task Hosted_service_refuses_to_start_on_non_loopback_without_token()
    {
        var options = new ManagementOptions { Endpoint = "0.0.0.0:0" };
        var service = new ManagementHostedService(new ServiceCollection().BuildServiceProvider(), options, new ManagementEndpoint(),
            new ManagementCommandRegistry([]));

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => service.StartAsync(CancellationToken.None));

        Assert.Equal("peeractors.management.token", ex.Field);
    }

    [Theory]
    [InlineData("127.0.0.1:0", null, true)]
    [InlineData("localhost:9110", null, true)]
    [InlineData("[::1]:9110", null, true)]
    [InlineData("0.0.0.0:9110", "t", false)]
    [InlineData("192.168.1.10:9110", "t", false)]
    public void Loopback_needs_no_token_and_metrics_need_one_only_off_loopback(string bind, string? token, bool loopback)
    {
        var options = new ManagementOptions { Endpoint = bind, Token = token };

        options.Validate();

        Assert.Equal(loopback, options.IsLoopback);
        Assert.Equal(!loopback, options.MetricsRequireToken);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("host.example:9110")]
    public void Malformed_bind_names_the_bind_key(string bind)
    {
        var ex = Assert.Throws<InvalidInputException>(() => new ManagementOptions { Endpoint = bind }.Validate());

        Assert.Equal(ManagementOptions.EndpointKey, ex.Field);
    }

    [Fact]
    public void Duplicate_command_registration_is_rejected()
    {
        Assert.Throws<InvalidOperationException>(() => new ManagementCommandRegistry(
            [new ManagementNodeFixture.TestEchoCommand(), new ManagementNodeFixture.TestEchoCommand()]));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    public void Arguments_accept_string_encoded_flags(string text, bool expected)
    {
        var args = new CommandArguments(new System.Text.Json.Nodes.JsonObject { ["f"] = text });

        Assert.Equal(expected, args.GetBool("f"));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("99")]
    public void Bad_int_arguments_name_the_key(string text)
    {
        var args = new CommandArguments(new System.Text.Json.Nodes.JsonObject { ["depth"] = text });

        var ex = Assert.Throws<InvalidInputException>(() => args.GetInt("depth", 1, 0, 64));

        Assert.Equal("depth", ex.Field);
    }
}

public sealed class ManagementNodeSettingsTests
{
    [Fact]
    public void Options_come_from_the_node_settings_keys()
    {
        var settings = PeerActors.Node.Configuration.NodeSettingsLoader.Load(
            new PeerActors.Node.Configuration.NodeOverrides { Endpoint = "127.0.0.1:0", Token = "abc" },
            new Dictionary<string, string?>(), AppContext.BaseDirectory);

        var options = ManagementOptions.FromNodeSettings(settings);

        Assert.Equal("127.0.0.1:0", options.Endpoint);
        Assert.Equal("abc", options.Token);
        Assert.Equal(settings.MetricsEnabled, options.MetricsEnabled);
    }

    [Fact]
    public void Node_settings_overload_registers_the_endpoint_and_OpenTelemetry()
    {
        var settings = PeerActors.Node.Configuration.NodeSettingsLoader.Load(
            new PeerActors.Node.Configuration.NodeOverrides { Endpoint = "127.0.0.1:0" }, new Dictionary<string, string?>(), AppContext.BaseDirectory);
        var services = new ServiceCollection();

        services.AddPeerActorsManagement(settings);

        Assert.Contains(services, d => d.ImplementationType == typeof(ManagementHostedService));
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.Contains(provider.GetServices<IManagementCommand>(), c => c.Palette == "cluster sharding" && c.Name == "regions");
    }
}
