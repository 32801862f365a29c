using System.Diagnostics;

namespace PeerActors.Tests.SelectionActor;

/// <summary>
/// The selector after a restart (issue 11, "the selector needs no wake-up"): its own snapshot plus a catch-up from the
/// snapshot's journal offset, over Akka.Persistence.Sql on a SQLite file, with the peer actors started counted.
/// </summary>
public sealed class SelectorRestartTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"peeractors-selector-restart-{Guid.NewGuid():N}.db");

    private static SelectorOptions Snapshots() => new()
    {
        BootstrapFromJournal = true,
        SnapshotInterval = Interval,
        SnapshotPersistenceId = "selector-test",
    };

    private static string Id(int i) => $"rpeer{i:D3}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            try { File.Delete(f); } catch (IOException) { }
        }
        return Task.CompletedTask;
    }

    /// <summary>Gives each peer a persisted history (a payment is written before its ack) with <paramref name="requests"/> requests.</summary>
    private static async Task Record(SelectorRestartNode node, IEnumerable<string> ids, int requests = 1)
    {
        await Task.WhenAll(ids.Select(async id =>
        {
            for (var r = 0; r < requests; r++) node.Peers.Tell(new RecordRequest(id, 10, T0));
            await node.Peers.Ask<CommandAck>(new RecordPayment(id, 5, T0), TimeSpan.FromSeconds(20));
        }));
    }

    /// <summary>
    /// Starts a node whose selector keeps snapshots, waits for its start-up, gives <paramref name="ids"/> a history
    /// (<see cref="Record"/>) and waits until the selector tracks them all; the node is disposed if any step fails.
    /// </summary>
    private async Task<SelectorRestartNode> StartTracking(string[] ids, int requests = 1)
    {
        var node = SelectorRestartNode.Start(_db, Snapshots());
        try
        {
            await node.AwaitStartupAsync(TimeSpan.FromSeconds(20));
            await Record(node, ids, requests);
            await AwaitTracked(node, ids.Length);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private static async Task AwaitTracked(SelectorRestartNode node, int count)
    {
        var sw = Stopwatch.StartNew();
        while ((await node.Client().SummaryAsync(T0)).PeerCount != count)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail($"selector never tracked {count} peers");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the checkpoint marks written after the last change are promoted (two snapshot ticks).</summary>
    private static Task SettleSnapshots() => Task.Delay(Interval * 4);

    private static async Task<Dictionary<string, ulong>> Requests(SelectorRestartNode node)
    {
        var reply = await node.Client().SelectAsync(new SelectPeers(Count: 1000, Fairness: false, Now: T0));
        return reply.Peers.ToDictionary(p => p.PeerId, p => p.Inputs.RequestsSent);
    }

    [Fact]
    public async Task Restarted_selector_tracks_every_peer_with_zero_peer_actors_started()
    {
        var ids = Enumerable.Range(0, 40).Select(Id).ToArray();
        Dictionary<string, ulong> before;
        await using (var first = await StartTracking(ids, requests: 3))
        {
            before = await Requests(first);
            await SettleSnapshots();
        } // coordinated shutdown: the selector saves its snapshot

        await using var second = SelectorRestartNode.Start(_db, Snapshots());
        var status = await second.AwaitStartupAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("snapshot", status.Source);
        Assert.Equal(ids.Length, status.SnapshotEntries);
        Assert.Equal(0, status.PeersWoken);
        Assert.Equal(0, second.Starts.Count); // no peer actor was started to answer
        Assert.Equal(before, await Requests(second));
    }

    [Theory]
    [InlineData(true, 0)]   // the mark is trusted at once: the snapshot covers every peer's history
    [InlineData(false, 12)] // only the start mark is safe within the first interval: every peer is woken again
    public async Task A_snapshot_saved_at_a_vouched_mark_spares_the_next_start_the_wake_up_even_within_the_first_interval(bool atMark, int wokenAfterRestart)
    {
        var ids = Enumerable.Range(0, 12).Select(Id).ToArray();
        // One snapshot interval far longer than the test: no tick promotes any mark.
        var options = Snapshots() with { SnapshotInterval = TimeSpan.FromHours(1) };
        await using (var first = SelectorRestartNode.Start(_db, options))
        {
            await first.AwaitStartupAsync(TimeSpan.FromSeconds(20));
            await Record(first, ids);
            await AwaitTracked(first, ids.Length);
            if (atMark)
            {
                var saved = await first.Client().Selector.Ask<SelectorSnapshotSaved>(SaveSelectorSnapshotAtMark.Instance, TimeSpan.FromSeconds(20));
                Assert.Null(saved.Error);
                Assert.Equal(ids.Length, saved.Entries);
                // Nothing changed since: a save (the shutdown's) answers from the stored snapshot and writes none.
                var stored = StoredSelectorSnapshot();
                var again = await first.Client().Selector.Ask<SelectorSnapshotSaved>(SaveSelectorSnapshot.Instance, TimeSpan.FromSeconds(20));
                Assert.Equal(saved, again);
                Assert.Equal(stored, StoredSelectorSnapshot());
            }
        } // the shutdown save keeps the safe offset it has

        await using var second = SelectorRestartNode.Start(_db, options);
        var status = await second.AwaitStartupAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("snapshot", status.Source);
        Assert.Equal(wokenAfterRestart, status.PeersWoken);
        await AwaitTracked(second, ids.Length);
    }

    [Fact]
    public async Task A_peer_changed_or_created_after_the_snapshot_is_caught_up_by_waking_only_it()
    {
        var ids = Enumerable.Range(0, 20).Select(Id).ToArray();
        await using (var first = await StartTracking(ids))
        {
            await SettleSnapshots();
        }

        // While no selector runs: one known peer gets 5 more requests, one new peer appears.
        await using (var offline = SelectorRestartNode.Start(_db, new SelectorOptions { SnapshotPersistenceId = "someone-else" }))
        {
            await Record(offline, [Id(7)], requests: 5);
            await Record(offline, [Id(99)], requests: 2);
        }

        await using var second = SelectorRestartNode.Start(_db, Snapshots());
        var status = await second.AwaitStartupAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("snapshot", status.Source);
        await AwaitTracked(second, ids.Length + 1);
        var requests = await Requests(second);
        Assert.Equal(1UL + 5, requests[Id(7)]);
        Assert.Equal(2UL, requests[Id(99)]);
        Assert.Equal(1UL, requests[Id(3)]);
        Assert.Equal(2, status.PeersWoken); // only the two peers with events after the snapshot's offset
        Assert.Equal(2, second.Starts.Count);
    }

    [Fact]
    public async Task A_peer_whose_events_after_the_snapshot_were_deleted_by_its_stop_snapshot_is_still_caught_up()
    {
        // Every stop snapshots the peer and deletes the events it covers but the last (delete-events-on-snapshot).
        var deleting = new PeerActorSettings
        {
            FlushInterval = TimeSpan.FromMilliseconds(100),
            SnapshotOnStopMinEvents = 1,
            DeleteEventsOnSnapshot = true,
        };
        var ids = Enumerable.Range(0, 10).Select(Id).ToArray();
        await using (var first = SelectorRestartNode.Start(_db, Snapshots(), deleting))
        {
            await first.AwaitStartupAsync(TimeSpan.FromSeconds(20));
            await Record(first, ids);
            await AwaitTracked(first, ids.Length);
            await SettleSnapshots();
        }

        // While no selector runs: a known peer gets 5 more requests, then stops, which deletes all but its last event.
        await using (var offline = SelectorRestartNode.Start(_db, new SelectorOptions { SnapshotPersistenceId = "someone-else" }, deleting))
        {
            await Record(offline, [Id(4)], requests: 5);
            offline.Peers.Tell(new StopPeer(Id(4)));
            await AwaitCoveredEventsDeleted("peer-" + Id(4));
        }

        await using var second = SelectorRestartNode.Start(_db, Snapshots(), deleting);
        var status = await second.AwaitStartupAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("snapshot", status.Source);
        var requests = await Requests(second);
        Assert.Equal(1UL + 5, requests[Id(4)]);
        Assert.Equal(1UL, requests[Id(3)]);
        Assert.Equal(1, status.PeersWoken); // only the changed peer, seen through its one undeleted event
    }

    /// <summary>The selector's stored snapshots (sequence number and creation time of each).</summary>
    private string StoredSelectorSnapshot()
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT group_concat(sequence_number || '@' || created, ',') FROM snapshot WHERE persistence_id NOT LIKE 'peer-%'";
        return cmd.ExecuteScalar() as string ?? "";
    }

    /// <summary>Waits until <paramref name="pid"/> has a snapshot and every event but its last is marked deleted.</summary>
    private async Task AwaitCoveredEventsDeleted(string pid)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            await using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db}"))
            {
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = """
                    SELECT (SELECT COUNT(*) FROM snapshot WHERE persistence_id = $p),
                           (SELECT COUNT(*) FROM journal WHERE persistence_id = $p AND deleted = 0),
                           (SELECT COUNT(*) FROM journal WHERE persistence_id = $p)
                    """;
                cmd.Parameters.AddWithValue("$p", pid);
                await using var r = await cmd.ExecuteReaderAsync();
                await r.ReadAsync();
                if (r.GetInt64(0) == 1 && r.GetInt64(1) == 1 && r.GetInt64(2) == 2) return;
            }
            if (sw.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail($"{pid}: covered events never deleted");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_forgotten_peer_stays_forgotten_after_a_restart()
    {
        var ids = Enumerable.Range(0, 10).Select(Id).ToArray();
        await using (var first = await StartTracking(ids))
        {
            await first.Peers.Ask<CommandAck>(new Forget(Id(4), T0.AddMinutes(1)), TimeSpan.FromSeconds(20));
            await AwaitTracked(first, ids.Length - 1);
            await SettleSnapshots();
        }

        await using var second = SelectorRestartNode.Start(_db, Snapshots());
        var status = await second.AwaitStartupAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ids.Length, status.SnapshotEntries); // 9 tracked + 1 tombstone
        Assert.DoesNotContain(Id(4), (await Requests(second)).Keys);

        // A late update older than the tombstone (e.g. delayed in pub-sub) cannot bring it back.
        second.Selector.Tell(new PeerScoreInputs(new Core.Stats.PeerStatsState { PeerId = Core.Identity.PeerId.Parse(Id(4)), ConnectedAt = T0 }, 1, [], []));
        Assert.DoesNotContain(Id(4), (await Requests(second)).Keys);
        Assert.Equal(ids.Length - 1, (await second.Client().SummaryAsync(T0)).PeerCount);
        Assert.Equal(0, second.Starts.Count);
    }

    [Fact]
    public async Task Queries_are_answered_within_their_timeout_while_the_journal_bootstrap_wakes_peers()
    {
        const int n = 300;
        var ids = Enumerable.Range(0, n).Select(Id).ToArray();
        await using (var first = SelectorRestartNode.Start(_db, new SelectorOptions()))
        {
            await Record(first, ids);
        }

        // No snapshot: every peer of the journal is woken, slowly enough that the queries below land mid-wave.
        await using var second = SelectorRestartNode.Start(_db, new SelectorOptions
        {
            BootstrapFromJournal = true, SnapshotInterval = Interval, SnapshotPersistenceId = "selector-test", BootstrapWakeRate = 60, WakeMaxInFlight = 4,
        });
        await Task.Delay(500);
        var timeout = TimeSpan.FromSeconds(2);
        for (var k = 0; k < 5; k++)
        {
            Assert.False((await second.StatusAsync()).Complete); // still warming up
            var sw = Stopwatch.StartNew();
            await second.Client(timeout).SummaryAsync(T0);
            // A peer the wave has not reached yet: it recovers behind at most WakeMaxInFlight other recoveries.
            var late = ids[n - 1 - k];
            var stats = await second.Peers.Ask<PeerStatsReply>(new GetPeerStats(late, T0), timeout);
            Assert.Equal(1UL, stats.Stats.RequestsSent);
            Assert.True(sw.Elapsed < timeout, $"queries took {sw.Elapsed}");
            await Task.Delay(200);
        }
        var status = await second.AwaitStartupAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("journal", status.Source);
        Assert.Equal(n, status.PeersWoken);
        await AwaitTracked(second, n);

        // The next restart needs no wake-up at all.
        await SettleSnapshots();
        await second.DisposeAsync();
        await using var third = SelectorRestartNode.Start(_db, Snapshots());
        Assert.Equal("snapshot", (await third.AwaitStartupAsync(TimeSpan.FromSeconds(20))).Source);
        await AwaitTracked(third, n);
        Assert.Equal(0, third.Starts.Count);
    }
}
