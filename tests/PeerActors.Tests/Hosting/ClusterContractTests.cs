using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PeerActors.Tests.Hosting;

/// <summary>
/// Every member gets the same downing rules: the cluster leader (lowest address, any role) takes the split-brain
/// resolver's decision, and a proxy-only client on Akka's defaults (stable-after 20 s) once let the nodes' instability
/// guard down the whole cluster after a single crash.
/// </summary>
public sealed class ClusterContractTests
{
    private static readonly string[] ContractKeys =
    [
        "akka.cluster.downing-provider-class",
        "akka.cluster.split-brain-resolver.active-strategy",
        "akka.cluster.split-brain-resolver.stable-after",
        "akka.cluster.split-brain-resolver.down-all-when-unstable",
        "akka.cluster.split-brain-resolver.keep-majority.role",
        "akka.cluster.failure-detector.heartbeat-interval",
        "akka.cluster.failure-detector.acceptable-heartbeat-pause",
        "akka.cluster.down-removal-margin",
        "akka.cluster.sharding.retry-interval",
        "akka.cluster.sharding.updating-state-timeout",
        "akka.cluster.sharding.shard-start-timeout",
        "akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit",
    ];

    private static async Task<Dictionary<string, string>> EffectiveAsync(Action<AkkaConfigurationBuilder> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAkka("contract", (akka, _) =>
        {
            akka.WithRemoting("127.0.0.1", 0)
                .WithClustering(new ClusterOptions { Roles = ["client"] })
                .AddHocon("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"\n" +
                          "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.inmem\"", HoconAddMode.Prepend);
            configure(akka);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;
            return ContractKeys.ToDictionary(k => k, k => config.GetString(k));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_proxy_only_client_joins_with_the_same_downing_rules_as_a_peer_hosting_node()
    {
        var options = new PeerActorsOptions { Role = "workers" };
        var proxy = await EffectiveAsync(akka => akka.WithPeerActorsProxy(options));
        var node = await EffectiveAsync(akka => akka.WithPeerActors(options));

        Assert.Equal(node, proxy);
        Assert.Equal("3s", proxy["akka.cluster.split-brain-resolver.stable-after"]);
        Assert.Equal("500ms", proxy["akka.cluster.failure-detector.heartbeat-interval"]);
        // Sharding keys too, although WithClustering appends Akka.Cluster.Sharding's reference configuration first.
        Assert.Equal("500ms", proxy["akka.cluster.sharding.retry-interval"]);
        Assert.Equal("1s", proxy["akka.cluster.sharding.updating-state-timeout"]);
        Assert.Equal("5s", proxy["akka.cluster.sharding.shard-start-timeout"]);
        Assert.Equal("20", proxy["akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit"]);
        Assert.Equal("8s", proxy["akka.cluster.split-brain-resolver.down-all-when-unstable"]);
        Assert.Equal("keep-majority", proxy["akka.cluster.split-brain-resolver.active-strategy"]);
        Assert.Equal("workers", proxy["akka.cluster.split-brain-resolver.keep-majority.role"]);
    }

    [Fact]
    public async Task A_key_in_the_applications_own_hocon_wins_over_the_contract()
    {
        var proxy = await EffectiveAsync(akka => akka
            .AddHocon("akka.cluster.split-brain-resolver.stable-after = 7s\nakka.cluster.sharding.retry-interval = 3s", HoconAddMode.Prepend)
            .WithPeerActorsProxy(new PeerActorsOptions()));

        Assert.Equal("7s", proxy["akka.cluster.split-brain-resolver.stable-after"]);
        Assert.Equal("3s", proxy["akka.cluster.sharding.retry-interval"]);
        Assert.Equal("5s", proxy["akka.cluster.failure-detector.acceptable-heartbeat-pause"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\"b")]
    [InlineData("a\\b")]
    public void A_role_that_cannot_be_written_into_hocon_is_refused(string role) =>
        Assert.ThrowsAny<ArgumentException>(() => ClusterContract.For(role));
}
