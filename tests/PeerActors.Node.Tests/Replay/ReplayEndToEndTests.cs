using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// <c>peeractors replay</c> through a real embedded node (cluster of one, SQLite in a temp data directory, port 0),
/// checked against sums computed independently from the file.
/// </summary>
public sealed class ReplayEndToEndTests : IDisposable
{
    private readonly string _dataDir = TempDir();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private async Task<(int Exit, string Out, string Err, JsonElement Report)> Replay(params string[] args)
    {
        var json = Path.Combine(TempDir(), "report.json");
        var (exit, output, error) = await ReplayCli.RunAsync([.. args, "--data-dir", _dataDir, "--port", "0", "--report-json", json]);
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{error}");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        return (exit, output, error, doc.RootElement.Clone());
    }

    [Fact]
    public async Task First_100_sessions_report_the_file_totals_and_a_second_run_recovers_the_history_from_the_journal()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(100);

        var first = await Replay(path);

        var r = first.Report;
        Assert.Equal(sums.Sessions, r.GetProperty("sessions").GetInt32());
        Assert.Equal(sums.Chunks, r.GetProperty("chunks").GetInt64());
        Assert.Equal(sums.Peers, r.GetProperty("peers").GetInt32());
        Assert.Equal(sums.Bytes, r.GetProperty("ingressBytesTotal").GetInt64());
        Assert.Equal(sums.Bytes, r.GetProperty("expectedIngressBytes").GetInt64());
        Assert.Equal(sums.Chunks, r.GetProperty("requestsApplied").GetInt64());
        Assert.Equal(0, r.GetProperty("recoveredPeers").GetInt32());
        Assert.Equal(0, r.GetProperty("problems").GetArrayLength());
        Assert.Equal(10, r.GetProperty("topPeersByScore").GetArrayLength());
        Assert.Equal("selector actor", r.GetProperty("topPeersSource").GetString());
        Assert.Equal("limit actors", r.GetProperty("limitsSource").GetString());
        Assert.Contains("ingress bytes", first.Out);
        Assert.Contains("OK", first.Out);

        var second = await Replay(path);

        var s = second.Report;
        Assert.Equal(sums.Peers, s.GetProperty("recoveredPeers").GetInt32());
        Assert.Equal(0, s.GetProperty("newPeers").GetInt32());
        Assert.Contains("history recovered from the journal", second.Out);
        // The delta of this run is again exactly the file's bytes (the journal holds both runs).
        Assert.Equal(sums.Bytes, s.GetProperty("ingressBytesTotal").GetInt64());
        // The first run's high-rate events (coalesced) were flushed at shutdown and recovered: the journal holds both runs.
        Assert.Equal(sums.Bytes, r.GetProperty("ingressBytesAfter").GetInt64());
        Assert.Equal(2 * sums.Bytes, s.GetProperty("ingressBytesAfter").GetInt64());
        Assert.Equal(r.GetProperty("channels").GetInt32(), s.GetProperty("channelsAlreadyOpen").GetInt32());
        var topIngress = s.GetProperty("topPeersByScore").EnumerateArray().Select(p => p.GetProperty("ingressBytes").GetInt64()).ToList();
        Assert.All(topIngress, b => Assert.True(b >= 0));
        Assert.Equal(0, s.GetProperty("problems").GetArrayLength());
    }

    /// <summary>Peer rows, rows marked deleted, peers with an undeleted event, snapshots, and peer rows older than one of their snapshots (sequence number &lt; S).</summary>
    private (long Rows, long Deleted, long Peers, long Snapshots, long Covered) JournalCounts()
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "peeractors.db")};Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT COUNT(*) FROM journal WHERE persistence_id LIKE 'peer-%'),
                   (SELECT COUNT(*) FROM journal WHERE persistence_id LIKE 'peer-%' AND deleted = 1),
                   (SELECT COUNT(DISTINCT persistence_id) FROM journal WHERE persistence_id LIKE 'peer-%' AND deleted = 0),
                   (SELECT COUNT(*) FROM snapshot WHERE persistence_id LIKE 'peer-%'),
                   (SELECT COUNT(*) FROM journal j JOIN snapshot s ON s.persistence_id = j.persistence_id
                     WHERE j.persistence_id LIKE 'peer-%' AND j.sequence_number < s.sequence_number)
            """;
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
    }

    [Fact]
    public async Task A_replay_deletes_the_events_its_stop_snapshots_cover_once_at_the_end_compacts_the_file_and_a_second_run_still_finds_every_peer()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(300);

        var first = await Replay(path);
        Assert.Matches(@"[\d,]+ covered events deleted in", first.Out);
        Assert.Contains("Compacting the journal (SQLite VACUUM)", first.Out);
        Assert.Equal(sums.Bytes, first.Report.GetProperty("ingressBytesTotal").GetInt64());
        var (rows, deleted, peers, snapshots, covered) = JournalCounts();
        // Peers that stopped after >= 4 events since their last snapshot saved one; after the node stopped, one statement
        // deleted every event a snapshot covers but the snapshot's own (nothing is left marked deleted), so every peer
        // keeps one undeleted event and the journal still lists all of them.
        Assert.True(snapshots > 0, "no stop snapshot was saved");
        Assert.Equal(0, deleted);
        Assert.Equal(0, covered);
        Assert.Equal(sums.Peers, peers);
        Assert.True(rows >= sums.Peers, $"{rows} rows");

        // The journal check still finds every peer, and their recovered totals are exact: twice the file after two runs.
        var second = await Replay(path);
        Assert.Equal(sums.Peers, second.Report.GetProperty("recoveredPeers").GetInt32());
        Assert.Equal(sums.Bytes, second.Report.GetProperty("ingressBytesTotal").GetInt64());
        Assert.Equal(2 * sums.Bytes, second.Report.GetProperty("ingressBytesAfter").GetInt64());
        Assert.Equal(0, second.Report.GetProperty("problems").GetArrayLength());
        Assert.Equal(0, JournalCounts().Covered);
    }

    [Fact]
    public async Task With_deletion_on_each_peer_deletes_what_its_stop_snapshot_covers_itself()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(300);

        var run = await Replay(path, "--set", "peeractors.persistence.delete-events-on-snapshot=on");
        Assert.DoesNotContain("covered events deleted", run.Out);
        Assert.Equal(sums.Bytes, run.Report.GetProperty("ingressBytesTotal").GetInt64());
        var (_, deleted, peers, snapshots, _) = JournalCounts();
        // Akka.Persistence.Sql keeps the highest deleted row of each deletion, marked deleted: one per stop snapshot.
        Assert.True(snapshots > 0, "no stop snapshot was saved");
        Assert.Equal(snapshots, deleted);
        Assert.Equal(sums.Peers, peers);
    }

    [Fact]
    public async Task With_deletion_and_compaction_off_a_replay_keeps_every_event()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(300);

        var run = await Replay(path, "--set", "peeractors.persistence.delete-events-on-snapshot=off", "--set", "peeractors.replay.compact-journal=off");
        Assert.DoesNotContain("Compacting the journal", run.Out);
        Assert.DoesNotContain("covered events deleted", run.Out);
        Assert.Equal(sums.Bytes, run.Report.GetProperty("ingressBytesTotal").GetInt64());
        var (_, deleted, peers, snapshots, covered) = JournalCounts();
        Assert.Equal(0, deleted);
        Assert.True(snapshots > 0);
        Assert.True(covered > 0);
        Assert.Equal(sums.Peers, peers);
    }

    [Fact]
    public async Task Malformed_rows_are_skipped_counted_and_reported_with_file_and_line_and_the_rest_replays()
    {
        var path = Bundled("bad", "malformed-rows.csv");

        var (_, _, err, report) = await Replay(path);

        Assert.Equal(8, report.GetProperty("rowsSkipped").GetInt64());
        Assert.Equal(2, report.GetProperty("sessions").GetInt32());
        Assert.Equal(1003 + 999, report.GetProperty("ingressBytesTotal").GetInt64());
        Assert.Contains($"{path}: line 3: cnt 'abc' is not a whole number", err);
    }

    [Fact]
    public async Task A_session_refused_by_the_limit_actors_is_reported_by_scope_class_and_its_bytes_still_count()
    {
        var dir = TempDir();
        var limits = WriteText(dir, "limits.json", """{"PeerDefault":{"ConnsInbound":1}}""");
        var csv = WriteMinimalCsv(dir, "overlap.csv",
            "0,r1,s,2,1.0,0.1,100,100,2020-07-03 20:00:00+00:00,2020-07-03 20:00:10+00:00",
            "1,r2,s,2,1.0,0.1,200,100,2020-07-03 20:00:05+00:00,2020-07-03 20:00:15+00:00");

        var (_, output, _, report) = await Replay(csv, "--set", $"peeractors.limits.file={limits}");

        Assert.Equal(1, report.GetProperty("limitBlocks").GetProperty("peer").GetInt64());
        Assert.Single(report.GetProperty("limitBlocks").EnumerateObject());
        Assert.Equal("limit actors", report.GetProperty("limitsSource").GetString());
        Assert.Equal(300, report.GetProperty("ingressBytesTotal").GetInt64());
        Assert.Contains("peer: 1", output);
    }

    [Fact]
    public async Task A_bad_limits_file_exits_2_naming_the_key()
    {
        var limits = WriteText(TempDir(), "limits.json", """{"PeerDefault":{"ConnsInbound":"lots"}}""");
        var (exit, _, err) = await ReplayCli.RunAsync(Bundled("sample.csv"), "--data-dir", _dataDir, "--set", $"peeractors.limits.file={limits}");
        Assert.Equal(2, exit);
        Assert.Contains("peeractors.limits.file", err);
    }
}
