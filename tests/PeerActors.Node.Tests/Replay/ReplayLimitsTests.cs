using PeerActors.Node.Limits;

namespace PeerActors.Node.Tests.Replay;

/// <summary>The trace-sized limits a replay uses by default.</summary>
public class ReplayLimitsTests
{
    [Fact]
    public void A_replay_uses_the_trace_sized_limits_file_unless_one_is_given()
    {
        Assert.Equal(["peeractors.limits.file=config/replay-limits.json"], ReplayCommand.WithReplayLimits(null));
        Assert.Equal(["peeractors.limits.file=/x.json"], ReplayCommand.WithReplayLimits(["peeractors.limits.file=/x.json"]));
    }

    [Fact]
    public void The_trace_sized_file_lifts_the_per_host_aggregates_and_keeps_the_per_peer_limits()
    {
        var limits = NodeLimitsLoader.Load(Path.Combine(AppContext.BaseDirectory, "config", "replay-limits.json"), 8L << 30, 1024).Limits!;
        Assert.Equal((int.MaxValue, int.MaxValue, int.MaxValue), (limits.System.ConnsInbound, limits.Transient.StreamsInbound, limits.System.FD));
        Assert.Equal(int.MaxValue, limits.GetServiceLimits("streaming").StreamsInbound);
        Assert.Equal(int.MaxValue, limits.GetProtocolLimits("/p2p-live/chunk/1.0.0").StreamsInbound);
        Assert.Equal((8, 256), (limits.PeerDefault.ConnsInbound, limits.PeerDefault.StreamsInbound));
        Assert.Equal(64, limits.GetServicePeerLimits("streaming").StreamsInbound);
    }
}
