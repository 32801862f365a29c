using Akka.Cluster.Tools.PublishSubscribe;
using static PeerActors.Tests.SelectionActor.SelectorTestData;

namespace PeerActors.Tests.SelectionActor;

/// <summary>The node's score-input batcher publishes the latest update of each peer once per interval.</summary>
public sealed class ScoreInputsBatcherTests : TestKit
{
    [Fact]
    public void Updates_within_one_interval_go_out_as_one_batch_with_the_latest_version_of_each_peer()
    {
        var batcher = Sys.ActorOf(ScoreInputsBatcher.Props(TestActor, TimeSpan.FromMilliseconds(200)));
        batcher.Tell(Inputs(Peer("a", 1, 1, 50), version: 1));
        batcher.Tell(Inputs(Peer("a", 2, 2, 50), version: 3));
        batcher.Tell(Inputs(Peer("a", 9, 9, 50), version: 2)); // late: older than 3
        batcher.Tell(Inputs(Peer("b", 1, 0, 50), version: 1));

        var publish = ExpectMsg<Publish>(TimeSpan.FromSeconds(5));
        Assert.Equal(PeerScoreInputs.Topic, publish.Topic);
        var batch = Assert.IsType<PeerScoreInputsBatch>(publish.Message);
        Assert.Equal([("a", 3L), ("b", 1L)], batch.Updates.Select(u => (u.Stats.PeerId.Value, u.Version)).Order());
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
