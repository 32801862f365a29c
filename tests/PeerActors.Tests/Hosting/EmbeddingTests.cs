using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PeerActors.Tests.Hosting;

/// <summary>
/// The README's embedding sample, as a .NET service would write it: a generic host, AddAkka with
/// remoting + clustering (self-join) + a journal, WithPeerActors, and the typed client from DI.
/// </summary>
public sealed class EmbeddingTests
{
    [Fact]
    public async Task A_service_embeds_peer_actors_with_AddAkka_and_uses_the_client()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("my-service", (akka, sp) =>
        {
            akka.WithRemoting("127.0.0.1", 0)
                .WithClustering(new ClusterOptions { Roles = ["peeractors"] })
                .AddHocon("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"\n" +
                          "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.inmem\"", HoconAddMode.Prepend)
                .WithPeerActors(new PeerActorsOptions { FlushInterval = TimeSpan.FromMilliseconds(200) })
                .AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        });
        builder.Services.AddSingleton<PeerActorsClient>();

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<PeerActorsClient>();
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var peer = "12D3KooWEmbeddingPeer";

            // The first message waits for the cluster of one to come up and the shard to be allocated.
            await client.RecordRequestAsync(peer, 100, now);
            Assert.True(client.TellSuccess(peer, rttMs: 42, bytes: 4096, now.AddMilliseconds(42)));
            var ack = await client.RecordPaymentAsync(peer, amountSat: 21, now.AddSeconds(1));
            Assert.Equal(PeerActors.Peers.Durability.Critical, ack.Durability);

            var stats = await client.GetPeerStatsAsync(peer, now.AddSeconds(2));
            Assert.Equal(1UL, stats.Stats.RequestsSent);
            Assert.Equal(1UL, stats.Stats.Successes);
            Assert.Equal(42.0, stats.Stats.SrttMs);
            Assert.Equal(21UL, stats.Stats.PaidSat);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
