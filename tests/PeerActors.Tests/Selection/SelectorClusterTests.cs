using Akka.Cluster.Tools.PublishSubscribe;
using static PeerActors.Tests.SelectionActor.SelectorTestData;

namespace PeerActors.Tests.SelectionActor;

/// <summary>Three in-process cluster nodes on 127.0.0.1: DistributedPubSub propagation and the start-up sync.</summary>
public class SelectorClusterTests : TestKit
{
    private const string SystemName = "selector-cluster";

    public static Config NodeConfig() => ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.roles = [peeractors]
            akka.cluster.pub-sub.gossip-interval = 200ms
            akka.cluster.gossip-interval = 200ms
            akka.cluster.downing-provider-class = ""
            """)
        .WithFallback(SelectorSerializer.Registry.ToHocon(SelectorSerializer.SerializerName, typeof(SelectorSerializer)))
        .WithFallback(PeerSerializer.Registry.ToHocon(PeerSerializer.SerializerName, typeof(PeerSerializer)));

    private readonly List<ActorSystem> _others = [];

    public SelectorClusterTests() : base(NodeConfig(), SystemName)
    {
    }

    protected override void AfterAll()
    {
        foreach (var s in _others) Shutdown(s, TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    private ActorSystem Join()
    {
        var s = ActorSystem.Create(SystemName, NodeConfig());
        _others.Add(s);
        Cluster.Get(s).Join(Cluster.Get(Sys).SelfAddress);
        return s;
    }

    private void AwaitUp(int members, params ActorSystem[] systems) =>
        AwaitAssert(() =>
        {
            foreach (var s in systems)
                Assert.Equal(members, Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up));
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

    private static IActorRef StartSelector(ActorSystem s) =>
        s.ActorOf(SelectorActor.Props(new SelectorOptions()), new SelectorOptions().ActorName);

    [Fact]
    public async Task Every_nodes_selector_sees_an_update_and_a_joining_node_syncs_what_it_missed()
    {
        Cluster.Get(Sys).Join(Cluster.Get(Sys).SelfAddress);
        var b = Join();
        AwaitUp(2, Sys, b);
        var selectors = new List<IActorRef> { StartSelector(Sys), StartSelector(b) };

        // Published on node A: both selectors reflect it (re-published while pub-sub registrations gossip).
        var mediatorA = DistributedPubSub.Get(Sys).Mediator;
        // (Re-published with the same version, idempotent, until the subscriptions have spread.)
        await AwaitAllSee(selectors, 30, publish: () =>
        {
            for (var i = 0; i < 30; i++)
                mediatorA.Tell(new Publish(PeerScoreInputs.Topic, Inputs(Peer($"p{i:D2}", 10, (ulong)(i % 10), 50), version: 3)));
        });

        // Node C joins later and learns the 30 peers from the others' selectors (chunked sync), without new publications.
        var c = Join();
        AwaitUp(3, Sys, b, c);
        var selC = StartSelector(c);
        await AwaitAllSee([selC], 30, publish: null);

        // An update published on C reaches every node's selector.
        selectors.Add(selC);
        var mediatorC = DistributedPubSub.Get(c).Mediator;
        var update = Inputs(Peer("p05", 10, 10, 5, lastSuccess: T0), version: 9);
        await AwaitAssertAsync(async () =>
        {
            mediatorC.Tell(new Publish(PeerScoreInputs.Topic, update));
            foreach (var sel in selectors)
            {
                var reply = await new SelectorClient(sel).SelectAsync(new SelectPeers(Count: 1, Fairness: false, Now: T0));
                Assert.Equal("p05", reply.Ids.Single());
            }
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        // A late, older version published afterwards changes nothing anywhere.
        mediatorC.Tell(new Publish(PeerScoreInputs.Topic, Inputs(Peer("p05", 10, 0, 500), version: 8)));
        mediatorC.Tell(new Publish(PeerScoreInputs.Topic, Inputs(Peer("p06", 10, 10, 5, lastSuccess: T0), version: 9)));
        await AwaitAllSeeFirst(selectors, ["p05", "p06"]);
    }

    private async Task AwaitAllSee(IEnumerable<IActorRef> selectors, int count, Action? publish) =>
        await AwaitAssertAsync(async () =>
        {
            publish?.Invoke();
            foreach (var sel in selectors)
                Assert.Equal(count, (await new SelectorClient(sel).SummaryAsync(T0)).PeerCount);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

    private async Task AwaitAllSeeFirst(IEnumerable<IActorRef> selectors, string[] ids) =>
        await AwaitAssertAsync(async () =>
        {
            foreach (var sel in selectors)
                Assert.Equal(ids, (await new SelectorClient(sel).SelectAsync(new SelectPeers(Count: 2, Fairness: false, Now: T0))).Ids);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
}
