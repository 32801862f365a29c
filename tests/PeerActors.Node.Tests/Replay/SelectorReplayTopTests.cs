using Akka.TestKit.Xunit2;
using PeerActors.Core.Identity;
using PeerActors.Core.Stats;
using PeerActors.Node.Replay;
using PeerActors.Peers;

namespace PeerActors.Node.Tests.Replay;

/// <summary>The replay's top list comes from the selector actor but names only the peers of the run (issue #14).</summary>
public sealed class SelectorReplayTopTests : TestKit
{
    private static readonly DateTimeOffset T0 = new(2020, 3, 14, 23, 0, 0, TimeSpan.Zero);

    private static PeerStatsState Peer(string id, double srtt) => new()
    {
        PeerId = PeerId.Parse(id), ConnectedAt = T0.AddHours(-1), RequestsSent = 10, Successes = 10, SrttMs = srtt, RtoMs = 1000,
    };

    private static PeerStatsReply Reply(PeerStatsState s) =>
        new(s, T0, 1, 0, 0, 0, 0, false, 0, 0, 1, true, 0, null, 0, 0, 0);

    [Fact]
    public async Task Peers_the_run_did_not_see_are_left_out_even_when_they_rank_higher()
    {
        var selector = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false }));
        // Peers of an earlier run (or another node) in the selector: better SRTT, so they rank first.
        for (var i = 0; i < 5; i++) selector.Tell(new PeerScoreInputs(Peer($"old{i}", 10), 1, [], []));
        var run = new[] { Peer("run-a", 500), Peer("run-b", 1000), Peer("run-c", 700) };
        foreach (var p in run) selector.Tell(new PeerScoreInputs(p, 1, [], []));

        var top = await new SelectorActorReplaySelector(new SelectorClient(selector, TimeSpan.FromSeconds(5)), TimeSpan.Zero, TimeSpan.Zero)
            .SelectWeightedAsync(2, T0, run.Select(Reply).ToList(), CancellationToken.None);

        Assert.Equal(["run-a", "run-c"], top.Select(p => p.PeerId));
    }
}
