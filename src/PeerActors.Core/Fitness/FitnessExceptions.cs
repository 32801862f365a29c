namespace PeerActors.Core.Fitness;

/// <summary>Base type of the typed errors of the peer fitness log (lnd <c>chanfitness</c> errors).</summary>
public abstract class FitnessException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    /// <param name="message">Human-readable description.</param>
    protected FitnessException(string message) : base(message)
    {
    }
}

/// <summary>
/// The channel is not tracked for the peer (lnd <c>ErrChannelNotFound</c>, "channel not found in event store";
/// also lnd's "channel: … not present" on removal).
/// </summary>
public sealed class ChannelNotFoundException : FitnessException
{
    /// <summary>Creates the exception for <paramref name="channelId"/>.</summary>
    /// <param name="channelId">The channel id that was looked up.</param>
    public ChannelNotFoundException(string channelId)
        : base($"channel not found in event store: {channelId}")
    {
        ChannelId = channelId;
    }

    /// <summary>The channel id that was looked up.</summary>
    public string ChannelId { get; }
}

/// <summary>The channel is already tracked for the peer (lnd "channel: … already present").</summary>
public sealed class ChannelAlreadyExistsException : FitnessException
{
    /// <summary>Creates the exception for <paramref name="channelId"/>.</summary>
    /// <param name="channelId">The duplicate channel id.</param>
    public ChannelAlreadyExistsException(string channelId)
        : base($"channel already present: {channelId}")
    {
        ChannelId = channelId;
    }

    /// <summary>The duplicate channel id.</summary>
    public string ChannelId { get; }
}
