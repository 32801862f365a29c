using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// Issue #12, findings 3 and 4: a journal failure (database locked here; disk full takes the same path) or SIGTERM used to
/// end as <c>AskTimeoutException: Timeout after 60.00 seconds</c> with no cause, and SIGTERM took ~60 s with a stack
/// trace. Now the replay stops within seconds naming the cause, and still prints a partial report.
/// </summary>
public sealed class ReplayFaultTests
{
    [Fact]
    public async Task A_journal_failure_stops_the_replay_within_seconds_naming_the_cause_with_a_partial_report()
    {
        var dir = TempDir();
        var data = Path.Combine(dir, "data");
        var db = Path.Combine(data, "peeractors.db");
        // Journal writes give up after 2 s of SQLITE_BUSY instead of the default 30 s.
        var cs = $"Data Source={db};Default Timeout=2";

        var sw = Stopwatch.StartNew();
        var json = Path.Combine(dir, "partial.json");
        var replay = ReplayCli.RunAsync(Bundled("sample.csv"), "--data-dir", data, "--connection-string", cs, "--speed", "50", "--report-json", json);

        // Once the replay has journaled something, another writer takes the database's write lock and keeps it.
        await using var blocker = new SqliteConnection($"Data Source={db};Default Timeout=60");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(replay.IsCompleted, "the replay finished before the journal could be locked");
            Assert.True(DateTime.UtcNow < deadline, "nothing was journaled within 60 s");
            try
            {
                if (File.Exists(db))
                {
                    if (blocker.State != System.Data.ConnectionState.Open) await blocker.OpenAsync();
                    await using var count = blocker.CreateCommand();
                    count.CommandText = "SELECT count(*) FROM journal";
                    if (Convert.ToInt64(await count.ExecuteScalarAsync()) > 0) break;
                }
            }
            catch (SqliteException)
            {
                // tables not created yet
            }
            await Task.Delay(100);
        }
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
        }
        var locked = sw.Elapsed;

        var (exit, output, err) = await replay;
        var stoppedAfter = sw.Elapsed - locked;

        Assert.Equal(3, exit);
        Assert.Contains("replay: stopped: journal failure: journal write failed: SQLite Error 5: 'database is locked'", err);
        Assert.DoesNotContain("AskTimeoutException", err);
        Assert.DoesNotContain("   at ", err);
        Assert.Contains("Replay stopped early: journal failure", output);
        Assert.Contains("sent before stopping", output);
        Assert.Contains("peers in the journal", output);
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(45), $"stopped {stoppedAfter} after the lock");
        var partial = File.ReadAllText(json);
        Assert.Contains("\"stoppedEarly\": true", partial);
        Assert.Contains("\"exitCode\": 3", partial);
    }

    [Fact]
    public async Task A_full_disk_stops_the_replay_within_seconds_naming_the_cause_with_a_partial_report()
    {
        // A full disk without a mount: the child's file-size limit (ulimit -f, 1.5 MB) makes the journal's writes fail
        // with an I/O error once the database grows past it (SIGXFSZ ignored, so write() fails instead of killing it).
        // W^X off: the runtime's double-mapped code pages are files, which the limit would refuse at start.
        var dir = TempDir();
        var dll = Path.Combine(AppContext.BaseDirectory, "PeerActors.Node.dll");
        var script = $"trap '' XFSZ; ulimit -f 1500; exec dotnet '{dll}' replay '{Bundled("sample.csv")}' --data-dir '{Path.Combine(dir, "data")}'";
        var psi = new ProcessStartInfo("bash", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        var (output, err) = (await stdout, await stderr);

        Assert.True(p.ExitCode == 3, $"exit {p.ExitCode}\n{output}\n{err}");
        // Whichever journal operation meets the full disk first (a flush write, or a read such as a recovery) names it.
        Assert.Matches(@"replay: stopped: journal failure: journal (write|read) failed: SQLite Error", err);
        Assert.DoesNotContain("AskTimeoutException", err);
        Assert.Contains("Replay stopped early: journal failure", output);
        Assert.Contains("peers in the journal", output);
    }

    [Fact]
    public async Task Sigterm_stops_a_replay_like_sigint_quickly_with_exit_143_and_no_stack_trace()
    {
        var dir = TempDir();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "PeerActors.Node.dll"), "replay", Bundled("sample.csv"),
                     "--data-dir", Path.Combine(dir, "data"), "--speed", "1" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var replaying = new TaskCompletionSource();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data.StartsWith("replaying", StringComparison.Ordinal)) replaying.TrySetResult();
        };
        var stderr = p.StandardError.ReadToEndAsync();
        p.BeginOutputReadLine();
        try
        {
            await replaying.Task.WaitAsync(TimeSpan.FromSeconds(90));
            await Task.Delay(500);
            var sw = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])) await kill.WaitForExitAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(45));
            var err = await stderr;

            Assert.Equal(143, p.ExitCode);
            Assert.Contains("replay: stopped: SIGTERM", err);
            Assert.DoesNotContain("   at ", err);
            lock (stdout) Assert.Contains("Replay stopped early: SIGTERM", stdout.ToString());
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }
}
