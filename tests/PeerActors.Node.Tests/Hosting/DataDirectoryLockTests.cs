using PeerActors.Node.Tests.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// Issue #12, finding 1: a data directory belongs to one process. A second process (here <c>flock(1)</c>, which takes
/// the same OS lock as another <c>peeractors</c> would) makes <c>replay</c> / <c>run</c> fail at once with exit code 2
/// naming the directory and the holder's PID, before anything touches the journal.
/// </summary>
public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly string _dir = TempDir();
    private Process? _holder;

    public void Dispose()
    {
        if (_holder is { HasExited: false })
        {
            _holder.Kill();
            _holder.WaitForExit();
        }
        _holder?.Dispose();
    }

    /// <summary>Another process holds the lock (flock -x on the lock file), and wrote its PID like a node does.</summary>
    private int HoldFromAnotherProcess(string dir)
    {
        Directory.CreateDirectory(dir);
        var lockPath = Path.Combine(dir, DataDirectoryLock.LockFileName);
        _holder = Process.Start(new ProcessStartInfo("flock", ["-x", lockPath, "sleep", "60"]) { UseShellExecute = false })!;
        File.WriteAllText(Path.Combine(dir, DataDirectoryLock.OwnerFileName), _holder.Id + "\n");
        // flock(1) takes the lock right after starting; wait until it is observable.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using var probe = Process.Start(new ProcessStartInfo("flock", ["-n", lockPath, "true"]) { UseShellExecute = false })!;
            probe.WaitForExit();
            if (probe.ExitCode != 0) return _holder.Id;
            Thread.Sleep(50);
        }
        throw new TimeoutException("flock did not take the lock");
    }

    [Fact]
    public async Task Replay_on_a_directory_held_by_another_process_exits_2_naming_directory_and_pid()
    {
        var data = Path.Combine(_dir, "data");
        var pid = HoldFromAnotherProcess(data);

        var sw = Stopwatch.StartNew();
        var (exit, _, err) = await ReplayCli.RunAsync(Bundled("sample.csv"), "--data-dir", data);

        Assert.Equal(2, exit);
        Assert.Contains("peeractors.data-dir", err);
        Assert.Contains(data, err);
        Assert.Contains($"PID {pid}", err);
        Assert.DoesNotContain("   at ", err); // one line, no stack trace
        Assert.False(File.Exists(Path.Combine(data, "peeractors.db")), "nothing may be written to the journal");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"refused after {sw.Elapsed}");
    }

    [Fact]
    public void Node_host_on_a_directory_held_by_another_process_is_refused()
    {
        var data = Path.Combine(_dir, "node");
        var pid = HoldFromAnotherProcess(data);
        var settings = NodeSettingsLoader.Load(new NodeOverrides { DataDir = data, Port = 0, Endpoint = "127.0.0.1:0" },
            new Dictionary<string, string?>(), AppContext.BaseDirectory);

        var e = Assert.Throws<NodeConfigurationException>(() => PeerActorsNode.Build(settings));
        Assert.Equal("peeractors.data-dir", e.Key);
        Assert.Contains($"PID {pid}", e.Message);
    }

    [Fact]
    public void The_lock_is_reentrant_in_one_process_and_released_by_the_last_holder()
    {
        var data = Path.Combine(_dir, "reentrant");
        var first = DataDirectoryLock.Acquire(data);
        var second = DataDirectoryLock.Acquire(data);
        Assert.Equal(Environment.ProcessId.ToString(), File.ReadAllText(Path.Combine(data, DataDirectoryLock.OwnerFileName)).Trim());
        first.Dispose();
        Assert.True(DataDirectoryLock.IsHeldByThisProcess(data));
        second.Dispose();
        Assert.False(DataDirectoryLock.IsHeldByThisProcess(data));

        using var probe = Process.Start(new ProcessStartInfo("flock", ["-n", Path.Combine(data, DataDirectoryLock.LockFileName), "true"]) { UseShellExecute = false })!;
        probe.WaitForExit();
        Assert.Equal(0, probe.ExitCode);
    }

    [Fact]
    public void A_data_dir_that_is_a_file_is_a_configuration_error_naming_the_key()
    {
        var file = WriteText(_dir, "not-a-dir", "x");
        var e = Assert.Throws<NodeConfigurationException>(() => DataDirectoryLock.Acquire(file));
        Assert.Equal("peeractors.data-dir", e.Key);
        Assert.Contains("is a file, not a directory", e.Message);
    }

    [Fact]
    public void A_data_dir_that_cannot_be_created_is_a_configuration_error_naming_the_key()
    {
        var file = WriteText(_dir, "blocker", "x");
        var e = Assert.Throws<NodeConfigurationException>(() => DataDirectoryLock.Acquire(Path.Combine(file, "sub")));
        Assert.Equal("peeractors.data-dir", e.Key);
        Assert.Contains("cannot be created", e.Message);
    }
}
