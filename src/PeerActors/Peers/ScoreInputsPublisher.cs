using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;

namespace PeerActors.Peers;

/// <summary>Where a peer actor sends its <see cref="PeerScoreInputs"/> (injectable so tests can capture them).</summary>
public interface IScoreInputsPublisher
{
    /// <summary>Publishes one update (must not block).</summary>
    /// <param name="inputs">The update.</param>
    void Publish(PeerScoreInputs inputs);
}

/// <summary>Publishes on DistributedPubSub topic <see cref="PeerScoreInputs.Topic"/>.</summary>
/// <param name="mediator">The DistributedPubSub mediator.</param>
public sealed class DistributedPubSubScoreInputsPublisher(IActorRef mediator) : IScoreInputsPublisher
{
    /// <inheritdoc />
    public void Publish(PeerScoreInputs inputs) => mediator.Tell(new Publish(PeerScoreInputs.Topic, inputs));
}

/// <summary>
/// Hands every update to the node's <see cref="ScoreInputsBatcher"/>, which publishes them on DistributedPubSub in
/// batches (latest per peer, every publish interval). The default in a cluster.
/// </summary>
/// <param name="batcher">The node's batcher actor.</param>
public sealed class BatchingScoreInputsPublisher(IActorRef batcher) : IScoreInputsPublisher
{
    /// <inheritdoc />
    public void Publish(PeerScoreInputs inputs) => batcher.Tell(inputs);
}

/// <summary>
/// One per node (<c>/user/peer-score-inputs</c>): keeps the latest <see cref="PeerScoreInputs"/> of each peer (by
/// version) and publishes them as one <see cref="PeerScoreInputsBatch"/> on <see cref="PeerScoreInputs.Topic"/> every
/// interval. Selection sees an update at most one flush interval plus one publish interval late; a busy node sends a
/// handful of messages per second to each selector instead of one per peer flush.
/// </summary>
public sealed class ScoreInputsBatcher : ReceiveActor, IWithTimers
{
    /// <summary>Default publish interval: 100 ms.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest batch published at once (bounds one message's size).</summary>
    public const int MaxBatch = 2048;

    private readonly Dictionary<string, PeerScoreInputs> _pending = new(StringComparer.Ordinal);
    private readonly IActorRef _mediator;
    private readonly TimeSpan _interval;

    /// <summary>Creates the batcher.</summary>
    /// <param name="mediator">The DistributedPubSub mediator.</param>
    /// <param name="interval">Publish interval (&gt; 0).</param>
    public ScoreInputsBatcher(IActorRef mediator, TimeSpan interval)
    {
        _mediator = mediator;
        _interval = interval;
        Receive<PeerScoreInputs>(m =>
        {
            var id = m.Stats.PeerId.Value;
            if (!_pending.TryGetValue(id, out var known) || m.Version >= known.Version) _pending[id] = m;
            if (_pending.Count >= MaxBatch) Flush();
            else if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", FlushTick.Instance, _interval);
        });
        Receive<FlushTick>(_ => Flush());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the batcher.</summary>
    /// <param name="mediator">The DistributedPubSub mediator.</param>
    /// <param name="interval">Publish interval; null = <see cref="DefaultInterval"/>.</param>
    /// <returns>The props.</returns>
    public static Props Props(IActorRef mediator, TimeSpan? interval = null) =>
        Akka.Actor.Props.Create(() => new ScoreInputsBatcher(mediator, interval ?? DefaultInterval));

    private void Flush()
    {
        Timers.Cancel("flush");
        if (_pending.Count == 0) return;
        _mediator.Tell(new Publish(PeerScoreInputs.Topic, new PeerScoreInputsBatch(_pending.Values.ToArray())));
        _pending.Clear();
    }

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }
}

/// <summary>Sends every update to one actor (tests, or a local selector without a cluster).</summary>
/// <param name="target">The receiver.</param>
public sealed class ActorRefScoreInputsPublisher(IActorRef target) : IScoreInputsPublisher
{
    /// <inheritdoc />
    public void Publish(PeerScoreInputs inputs) => target.Tell(inputs);
}

/// <summary>Drops every update (no cluster, no selector).</summary>
public sealed class NoScoreInputsPublisher : IScoreInputsPublisher
{
    /// <summary>The single instance.</summary>
    public static NoScoreInputsPublisher Instance { get; } = new();

    /// <inheritdoc />
    public void Publish(PeerScoreInputs inputs)
    {
    }
}

/// <summary>Chooses the publisher for an actor system.</summary>
public static class ScoreInputsPublishers
{
    /// <summary>
    /// DistributedPubSub, batched by one <see cref="ScoreInputsBatcher"/> per system, when the system runs the cluster
    /// provider; otherwise publishing is skipped (<see cref="NoScoreInputsPublisher"/>).
    /// </summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The publisher.</returns>
    public static IScoreInputsPublisher For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (((ExtendedActorSystem)system).Provider is not IClusterActorRefProvider) return NoScoreInputsPublisher.Instance;
        try
        {
            var batcher = system.ActorOf(ScoreInputsBatcher.Props(DistributedPubSub.Get(system).Mediator), "peer-score-inputs");
            return new BatchingScoreInputsPublisher(batcher);
        }
        catch (Exception e) when (e is Akka.Configuration.ConfigurationException or InvalidOperationException)
        {
            return NoScoreInputsPublisher.Instance;
        }
    }
}
