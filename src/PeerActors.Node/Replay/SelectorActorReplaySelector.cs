using PeerActors.Core.Selection;
using PeerActors.Peers;
using PeerActors.Selection;

namespace PeerActors.Node.Replay;

/// <summary>
/// <see cref="IReplaySelector"/> over the node's selector actor: <c>SelectPeers(Weighted, count, now = trace end)</c>.
/// The selector learns score inputs from the peer actors' coalesced publications (at most one flush interval
/// late), so the query is made after waiting <see cref="Settle"/>.
/// </summary>
public sealed class SelectorActorReplaySelector : IReplaySelector
{
    private readonly SelectorClient _client;

    /// <summary>Creates the target.</summary>
    /// <param name="client">Selector client.</param>
    /// <param name="settle">Wait before querying (≥ the peers' flush interval; default 2 s).</param>
    public SelectorActorReplaySelector(SelectorClient client, TimeSpan? settle = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Settle = settle ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>How long to wait for the last score-input publications before querying.</summary>
    public TimeSpan Settle { get; }

    /// <inheritdoc/>
    public string Source => "selector actor";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReplayRankedPeer>> SelectWeightedAsync(int count, DateTimeOffset now, IReadOnlyList<PeerStatsReply> finalStats, CancellationToken ct)
    {
        await Task.Delay(Settle, ct).ConfigureAwait(false);
        var reply = await _client.SelectAsync(new SelectPeers(SelectionStrategy.Weighted, Math.Max(1, count), Now: now), ct).ConfigureAwait(false);
        return reply.Peers.Select(p => new ReplayRankedPeer(p.PeerId, p.Score)).ToList();
    }
}
