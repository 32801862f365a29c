using PeerActors.Node.Replay;
using PeerActors.Peers;

namespace PeerActors.Node.Tests.Replay;

/// <summary>The fake peers plus a journal index answering a fixed set (or throwing).</summary>
internal sealed class IndexedReplayPeers(FakeReplayPeers inner, Func<IReadOnlySet<string>> index) : IReplayPeers, IReplayJournalIndex
{
    public int IndexQueries { get; private set; }

    /// <summary>Every id passed to <see cref="AnnounceNewPeers"/>, in order.</summary>
    public List<string> Announced { get; } = [];

    public void AnnounceNewPeers(IReadOnlyCollection<string> peerIds) => Announced.AddRange(peerIds);

    public void Tell(IPeerMessage message) => inner.Tell(message);

    public Task<object> AskAsync(IPeerMessage message, CancellationToken ct) => inner.AskAsync(message, ct);

    public Task<IReadOnlySet<string>> PeersWithHistoryAsync(CancellationToken ct)
    {
        IndexQueries++;
        return Task.FromResult(index());
    }
}

public sealed class ReplayJournalIndexTests
{
    private static ReplayRunner Runner(IReplayPeers peers) =>
        new(peers, new ResourceManagerReplayLimits(ConcreteLimitConfig.Infinite), new StatsReplaySelector(), new ReplayRunOptions { TopCount = 5 });

    /// <summary>The GetPeerStats asks sent before the first replayed message (the pre-replay check).</summary>
    private static string[] CheckedBeforeReplay(FakeReplayPeers fake, int from) =>
        fake.Sent.Skip(from).TakeWhile(m => m is GetPeerStats).Select(m => m.EntityId).ToArray();

    /// <summary>The first 50 sessions of the bundled sample, read strictly, their sums, and fresh fake peers (no history yet).</summary>
    private static (SessionReadResult Input, SliceSums Sums, FakeReplayPeers Fake) FiftySessions()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(50);
        return (SessionSource.Read([path], strict: true), sums, new FakeReplayPeers());
    }

    private static string[] PeersOf(SessionReadResult input) =>
        input.Records.SelectMany(r => new[] { r.Pid1, r.Pid2 }).Distinct(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task An_empty_journal_index_wakes_no_peer_before_the_replay_and_every_peer_is_new()
    {
        var (input, sums, fake) = FiftySessions();
        var peers = new IndexedReplayPeers(fake, () => new HashSet<string>());

        var report = await Runner(peers).RunAsync(input);

        Assert.Equal(1, peers.IndexQueries);
        Assert.Empty(CheckedBeforeReplay(fake, 0));
        Assert.Equal(PeersOf(input).Order(StringComparer.Ordinal), peers.Announced.Order(StringComparer.Ordinal));
        Assert.Equal((0, sums.Peers), (report.RecoveredPeers, report.NewPeers));
        Assert.Equal(sums.Bytes, report.IngressBytesTotal);
        Assert.Equal(sums.Chunks, report.RequestsApplied);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public async Task Only_listed_peers_are_asked_and_their_before_stats_give_exact_deltas()
    {
        var (input, sums, fake) = FiftySessions();
        await Runner(fake).RunAsync(input);
        var all = PeersOf(input);
        // A superset of a subset: half of the peers really have history, plus an id the fake does not know
        // (e.g. a forgotten peer still listed by the journal): it answers peer-not-found and counts as new.
        var listed = all.Where((_, i) => i % 2 == 0).Append("00000000-0000-0000-0000-00000000dead").ToHashSet(StringComparer.Ordinal);
        var mark = fake.Sent.Count;

        var indexed = new IndexedReplayPeers(fake, () => listed);
        var second = await Runner(indexed).RunAsync(input);

        var asked = CheckedBeforeReplay(fake, mark);
        Assert.Equal(all.Where(listed.Contains).Order(StringComparer.Ordinal), asked.Order(StringComparer.Ordinal));
        // Announced as new: exactly the peers the journal does not list. The forgotten-looking id is listed, so a peer
        // that answers peer-not-found is counted as new but never announced (its rows may still be in the journal).
        Assert.Equal(all.Where(id => !listed.Contains(id)).Order(StringComparer.Ordinal), indexed.Announced.Order(StringComparer.Ordinal));
        var recovered = all.Count(listed.Contains);
        Assert.Equal((recovered, sums.Peers - recovered), (second.RecoveredPeers, second.NewPeers));
        // Unlisted peers had history too (the fake keeps it), so their 'before' is taken as zero and the
        // delta over all peers exceeds the file: the index is trusted, as the journal is the source of truth.
        Assert.True(second.IngressBytesTotal >= sums.Bytes);
    }

    [Fact]
    public async Task A_complete_journal_index_recovers_every_peer_with_exact_deltas()
    {
        var (input, sums, fake) = FiftySessions();
        await Runner(fake).RunAsync(input);
        var listed = PeersOf(input).ToHashSet(StringComparer.Ordinal);

        var indexed = new IndexedReplayPeers(fake, () => listed);
        var second = await Runner(indexed).RunAsync(input);

        Assert.Empty(indexed.Announced);
        Assert.Equal((sums.Peers, 0), (second.RecoveredPeers, second.NewPeers));
        Assert.Equal(sums.Bytes, second.IngressBytesTotal);
        Assert.Equal(2 * sums.Bytes, second.IngressBytesAfter);
        Assert.Equal(sums.Chunks, second.RequestsApplied);
        Assert.Empty(second.Problems);
    }

    [Fact]
    public async Task An_unsupported_index_falls_back_to_asking_every_peer()
    {
        var (input, sums, fake) = FiftySessions();
        var peers = new IndexedReplayPeers(fake, () => throw new NotSupportedException("no read journal"));

        var report = await Runner(peers).RunAsync(input);

        Assert.Equal(sums.Peers, CheckedBeforeReplay(fake, 0).Length);
        Assert.Empty(peers.Announced); // without the index nothing is known to be absent from the journal
        Assert.Equal((0, sums.Peers), (report.RecoveredPeers, report.NewPeers));
        Assert.Empty(report.Problems);
    }
}
