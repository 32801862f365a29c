namespace PeerActors.Selection;

/// <summary>
/// Asks the selector for the ids of every peer it tracks (peers whose score inputs it holds, backed off or
/// not). Answered with <see cref="TrackedPeersReply"/>. Used by the <c>bandwidth</c> palette to enumerate peers
/// without polling the journal.
/// </summary>
public sealed record GetTrackedPeers
{
    /// <summary>The single instance.</summary>
    public static GetTrackedPeers Instance { get; } = new();
}

/// <summary>Answer to <see cref="GetTrackedPeers"/>.</summary>
/// <param name="PeerIds">Tracked peer ids, ordinal order.</param>
public sealed record TrackedPeersReply(IReadOnlyList<string> PeerIds);

/// <summary><see cref="GetTrackedPeers"/> on <see cref="SelectorClient"/>.</summary>
public static class SelectorTrackedPeersExtensions
{
    /// <summary>The ids of every peer the selector tracks, ordinal order.</summary>
    /// <param name="client">The selector client.</param>
    /// <param name="timeout">Ask timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The ids.</returns>
    /// <exception cref="AskTimeoutException">No answer within <paramref name="timeout"/>.</exception>
    public static async Task<IReadOnlyList<string>> TrackedPeersAsync(this SelectorClient client, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var reply = await client.Selector.Ask<TrackedPeersReply>(GetTrackedPeers.Instance, timeout, cancellationToken).ConfigureAwait(false);
        return reply.PeerIds;
    }
}
