using Akka.Cluster.Sharding;
using Akka.Configuration;
using PeerActors.Node.Management.Commands;
using PeerActors.Node.Metrics;

namespace PeerActors.Node.Tests.Management;

/// <summary>
/// One single-node cluster (remote on 127.0.0.1, port 0, self-joined) with a test actor tree and one sharded
/// entity type, and two management endpoints on 127.0.0.1 port 0 sharing it: one without a token, one with.
/// </summary>
public sealed class ManagementNodeFixture : IAsyncLifetime
{
    public const string Token = "s3cret-token";
    public const string EntityType = "test-entity";

    public ActorSystem System { get; private set; } = null!;
    public IHost OpenHost { get; private set; } = null!;
    public IHost TokenHost { get; private set; } = null!;
    public string OpenEndpoint { get; private set; } = null!;
    public string TokenEndpoint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.cluster.min-nr-of-members = 1
            akka.cluster.sharding.state-store-mode = ddata
            akka.cluster.sharding.remember-entities = off
            akka.cluster.sharding.distributed-data.durable.keys = []
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            akka.coordinated-shutdown.terminate-actor-system = on
            """);
        System = ActorSystem.Create("mgmt-test", config);
        var cluster = Cluster.Get(System);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var parent = System.ActorOf(Props.Create(() => new ParentActor()), "test-parent");
        await parent.Ask<string>("ready", TimeSpan.FromSeconds(10));

        var region = await ClusterSharding.Get(System).StartAsync(EntityType, Props.Create(() => new EchoEntity()),
            ClusterShardingSettings.Create(System), new EntityExtractor());
        var reply = await region.Ask<string>(new EntityMessage("entity-1"), TimeSpan.FromSeconds(20));
        Assert.Equal("entity-1", reply);

        OpenHost = await StartHostAsync(new ManagementOptions { Endpoint = "127.0.0.1:0" }, s => s.AddManagementCommand<TestEchoCommand>());
        TokenHost = await StartHostAsync(new ManagementOptions { Endpoint = "127.0.0.1:0", Token = Token }, _ => { });
        OpenEndpoint = OpenHost.Services.GetRequiredService<ManagementEndpoint>().HostAndPort!;
        TokenEndpoint = TokenHost.Services.GetRequiredService<ManagementEndpoint>().HostAndPort!;
    }

    private async Task<IHost> StartHostAsync(ManagementOptions options, Action<IServiceCollection> extra)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(System);
        builder.Services.AddPeerActorsManagement(options);
        builder.Services.AddPeerActorsOpenTelemetry();
        extra(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { OpenHost, TokenHost })
        {
            if (host is null) continue;
            await host.StopAsync();
            host.Dispose();
        }
        if (System is not null) await System.Terminate();
    }

    /// <summary>Runs peeractl in-process against the open endpoint unless args already give --host.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunAgainstAsync(OpenEndpoint, null, args);

    public async Task<CliRun> RunAgainstAsync(string? host, Dictionary<string, string>? env, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var full = host is null ? args : ["--host", host, .. args];
        var code = await PeerCtl.RunAsync(full, output, error, name => env is not null && env.TryGetValue(name, out var v) ? v : null, null);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    private sealed class ParentActor : ReceiveActor
    {
        public ParentActor()
        {
            Context.ActorOf(Props.Create(() => new LeafActor()), "child-a");
            Context.ActorOf(Props.Create(() => new LeafActor()), "child-b");
            Receive<string>(_ => Sender.Tell("ok"));
        }
    }

    private sealed class LeafActor : ReceiveActor
    {
        public LeafActor() => ReceiveAny(_ => { });
    }

    public sealed record EntityMessage(string Id);

    private sealed class EchoEntity : ReceiveActor
    {
        public EchoEntity() => Receive<EntityMessage>(m => Sender.Tell(m.Id));
    }

    private sealed class EntityExtractor : HashCodeMessageExtractor
    {
        public EntityExtractor() : base(10) { }
        public override string? EntityId(object message) => (message as EntityMessage)?.Id;
    }

    /// <summary>A command registered by "another helper": palette "test", name "echo".</summary>
    public sealed class TestEchoCommand : ManagementCommandBase
    {
        public TestEchoCommand() : base("test", "echo", "echo the msg argument", new ManagementArgument("msg", "text", Required: true)) { }

        public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken) =>
            Task.FromResult(CommandResult.Success(new System.Text.Json.Nodes.JsonObject { ["echo"] = args.RequireString("msg") }));
    }
}

public sealed record CliRun(int ExitCode, string Out, string Err);

[CollectionDefinition(Name)]
public sealed class ManagementCollection : ICollectionFixture<ManagementNodeFixture>
{
    public const string Name = "management-node";
}
