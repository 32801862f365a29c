using PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary>
/// <see cref="IReplaySelector"/> over the node's selector actor: <c>SelectPeers(Weighted, count, now = trace end)</c>.
/// The selector learns score inputs from the peer actors' coalesced publications (at most one flush interval
/// late, more under load), so the query is first made after <see cref="Settle"/> and then repeated every 250 ms until
/// its order equals the reference ranking of the final stats (<see cref="StatsReplaySelector"/>) or
/// <see cref="MaxWait"/> has passed; the last answer is returned either way (the report says whether they agree).
/// Only peers of this run (those in the final stats) are returned: a selector in a cluster or on a journal with earlier
/// runs also tracks other peers, so when the answer holds any, the query is repeated with N raised by the number of
/// tracked peers outside the run (enough to hold N of the run's peers) and filtered. Fairness is the selector's
/// (its total counts every tracked peer).
/// </summary>
public sealed class SelectorActorReplaySelector : IReplaySelector
{
    private readonly SelectorClient _client;

    /// <summary>Creates the target.</summary>
    /// <param name="client">Selector client.</param>
    /// <param name="settle">Wait before querying (≥ the peers' flush interval; default 2 s).</param>
    /// <param name="maxWait">Longest wait for agreement with the reference ranking (default 10 × <paramref name="settle"/>).</param>
    /// <param name="retention">The selector's retention window (<see cref="Selection.SelectorOptions.Retention"/>); null = it keeps every peer.</param>
    public SelectorActorReplaySelector(SelectorClient client, TimeSpan? settle = null, TimeSpan? maxWait = null, TimeSpan? retention = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Settle = settle ?? TimeSpan.FromSeconds(2);
        MaxWait = maxWait ?? 10 * Settle;
        Retention = retention;
    }

    /// <inheritdoc/>
    public TimeSpan? Retention { get; }

    /// <summary>How long to wait for the last score-input publications before the first query.</summary>
    public TimeSpan Settle { get; }

    /// <summary>Longest wait (from the first query) for the selector to agree with the reference ranking.</summary>
    public TimeSpan MaxWait { get; }

    /// <inheritdoc/>
    public string Source => "selector actor";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReplayRankedPeer>> SelectWeightedAsync(int count, DateTimeOffset now, IReadOnlyList<PeerStatsReply> finalStats, CancellationToken ct)
    {
        var reference = (await new StatsReplaySelector().SelectWeightedAsync(count, now, finalStats, ct).ConfigureAwait(false))
            .Select(p => p.PeerId).ToList();
        await Task.Delay(Settle, ct).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + MaxWait;
        var runPeers = finalStats.Select(s => s.Stats.PeerId.Value).ToHashSet(StringComparer.Ordinal);
        var n = Math.Max(1, count);
        while (true)
        {
            var reply = await _client.SelectAsync(new SelectPeers(SelectionStrategy.Weighted, n, Now: now), ct).ConfigureAwait(false);
            if (reply.Peers.Any(p => !runPeers.Contains(p.PeerId)) && n == Math.Max(1, count))
            {
                var foreign = Math.Max(0, reply.TrackedPeers - runPeers.Count) + reply.Peers.Count(p => !runPeers.Contains(p.PeerId));
                n = (int)Math.Min(int.MaxValue, (long)n + foreign);
                continue;
            }
            var ranked = reply.Peers.Where(p => runPeers.Contains(p.PeerId)).Take(Math.Max(1, count))
                .Select(p => new ReplayRankedPeer(p.PeerId, p.Score)).ToList();
            if (ranked.Select(p => p.PeerId).SequenceEqual(reference, StringComparer.Ordinal) || DateTime.UtcNow >= deadline)
                return ranked;
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <remarks>One Weighted query for every tracked peer (no fairness, payment weight 0), after <see cref="Settle"/> and
    /// then every 250 ms until <paramref name="settled"/> holds or <see cref="MaxWait"/> has passed.</remarks>
    public async Task<IReadOnlyList<ReplayRankedInputs>?> RunPeerInputsAsync(IReadOnlySet<string> runPeers,
        Func<IReadOnlyList<ReplayRankedInputs>, bool> settled, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(runPeers);
        ArgumentNullException.ThrowIfNull(settled);
        await Task.Delay(Settle, ct).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + MaxWait;
        var n = Math.Max(1, runPeers.Count);
        while (true)
        {
            var reply = await _client.SelectAsync(new SelectPeers(SelectionStrategy.Weighted, n, Fairness: false, Now: now), ct)
                .ConfigureAwait(false);
            if (reply.TrackedPeers > n)
            {
                n = reply.TrackedPeers; // peers of earlier runs or other nodes too: ask for all of them
                continue;
            }
            var inputs = reply.Peers.Where(p => runPeers.Contains(p.PeerId)).Select(p => new ReplayRankedInputs(p.PeerId, p.Score, p.Inputs)).ToList();
            if (settled(inputs) || DateTime.UtcNow >= deadline)
                return inputs;
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<string?> SaveSnapshotNowAsync(CancellationToken ct)
    {
        try
        {
            var saved = await _client.Selector.Ask<SelectorSnapshotSaved>(SaveSelectorSnapshotAtMark.Instance, MaxWait, ct).ConfigureAwait(false);
            return saved.Error;
        }
        catch (AskTimeoutException e)
        {
            return e.Message;
        }
    }
}
