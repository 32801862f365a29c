using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using PeerActors.Selection;

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
    /// DistributedPubSub when the system runs the cluster provider; otherwise publishing is skipped
    /// (<see cref="NoScoreInputsPublisher"/>).
    /// </summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The publisher.</returns>
    public static IScoreInputsPublisher For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (((ExtendedActorSystem)system).Provider is not IClusterActorRefProvider) return NoScoreInputsPublisher.Instance;
        try
        {
            return new DistributedPubSubScoreInputsPublisher(DistributedPubSub.Get(system).Mediator);
        }
        catch (Exception e) when (e is Akka.Configuration.ConfigurationException or InvalidOperationException)
        {
            return NoScoreInputsPublisher.Instance;
        }
    }
}
