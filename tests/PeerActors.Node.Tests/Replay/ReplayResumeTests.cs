using PeerActors.Node.Replay;
using PeerActors.Node.Tests.ClusterNodes;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// Issue #12: a replay interrupted by a crash is completed with <c>--resume</c> without counting its first part twice
/// (the run's delivery producer id is kept in the data directory; the peers skip what they had persisted).
/// </summary>
public sealed class ReplayResumeTests
{
    [Fact]
    public async Task A_replay_killed_midway_is_completed_by_resume_with_exact_totals()
    {
        var dir = TempDir();
        var data = Path.Combine(dir, "data");
        var db = Path.Combine(data, "peeractors.db");
        var sample = Bundled("sample.csv");
        var read = await SessionSource.ReadAsync([sample], strict: true, CancellationToken.None);
        var expected = ReplayPlanner.Plan(read.Records).Totals.TotalIngressBytes;

        // A replay process, paced so that it is still running when it is killed.
        var psi = new ProcessStartInfo(ProcessRunner.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { NodeProcess.NodeAssembly, "replay", sample, "--data-dir", data, "--speed", "3000" }) psi.ArgumentList.Add(a);
        psi.Environment["PEERACTORS_HOME"] = AppContext.BaseDirectory;
        using var first = Process.Start(psi)!;
        _ = first.StandardOutput.ReadToEndAsync();
        _ = first.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (JournalRows(db) < 300)
        {
            Assert.False(first.HasExited, "the replay finished before it could be killed");
            Assert.True(DateTime.UtcNow < deadline, "nothing was journaled within 120 s");
            await Task.Delay(100);
        }
        first.Kill(entireProcessTree: true); // SIGKILL: no flush, no report
        await first.WaitForExitAsync();

        var json = Path.Combine(dir, "resumed.json");
        var (exit, output, err) = await ReplayCli.RunAsync(sample, "--data-dir", data, "--resume", "--report-json", json);
        Assert.True(exit == 0, output + err);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.True(report.RootElement.GetProperty("resumed").GetBoolean());
        // The gains cover the whole input once: the part persisted before the kill was skipped, the rest applied.
        Assert.Equal((long)expected, report.RootElement.GetProperty("ingressBytesTotal").GetInt64());
        Assert.Equal((long)expected, report.RootElement.GetProperty("ingressBytesAfter").GetInt64());

        var again = await ReplayCli.RunAsync(sample, "--data-dir", data, "--resume");
        Assert.Equal(2, again.Exit);
        Assert.Contains("--resume: the last replay run on this data directory completed", again.Err);
    }

    private static long JournalRows(string db)
    {
        if (!File.Exists(db)) return 0;
        try
        {
            using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM journal WHERE persistence_id LIKE 'peer-%'";
            return Convert.ToInt64(cmd.ExecuteScalar());
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }
}
