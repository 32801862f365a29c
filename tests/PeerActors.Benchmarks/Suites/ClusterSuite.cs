using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PeerActors.Benchmarks.Harness;
using PeerActors.Node.Tests.ClusterNodes;
using Xunit.Abstractions;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// <c>cluster</c>: the same trace replayed (max speed) into one embedded node (SQLite, the baseline) and into a
/// 3-node cluster on a throwaway PostgreSQL, with the replay as a proxy-only member sending through reliable delivery.
/// Prints events/s (ratio cluster / single) and CPU-seconds per million events (ratio single / cluster: bigger is
/// better), CPU summed over every process of the run from /proc. Default: the real day
/// <c>training_data_2020_03_14.parquet</c> from <c>../shared/data</c> when present, else the bundled sample;
/// <c>--quick</c>: the bundled 1,000-session sample. Needs the PostgreSQL server binaries (as the multi-node tests).
/// </summary>
public sealed class ClusterSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "cluster";

    /// <inheritdoc />
    public string Description => "one embedded node vs a 3-node PostgreSQL cluster: events/s and CPU-s per million events";

    /// <inheritdoc />
    public async Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var file = Traces.For(options);
        // Suite arguments: --set KEY=VALUE (repeatable), passed to every node and replay, e.g. peeractors.delivery.batch-interval=25ms.
        var sets = new List<string>();
        for (var i = 0; i + 1 < options.Args.Count; i++)
            if (options.Args[i] == "--set") sets.Add(options.Args[++i]);
        var setArgs = sets.SelectMany(s => new[] { "--set", s }).ToArray();
        Console.WriteLine($"cluster: trace {file}");

        var single = await ReplayAsync(file, ["--data-dir", TempDir("single"), .. setArgs], []);
        Console.WriteLine($"cluster: single node {single.EventsPerSecond:N0} events/s, {single.CpuSeconds:F1} CPU-s for {single.Events:N0} events");

        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        var cs = await postgres.CreateDatabaseAsync("bench");
        await using var cluster = await NodeCluster.StartAsync(new ConsoleOutput(), cs, count: 3, set: sets);
        var pids = cluster.Nodes.Select(n => n.Pid).ToArray();
        var before = pids.Select(CpuSeconds).ToArray();
        List<string> args = ["--config", "cluster", "--connection-string", cs, "--data-dir", TempDir("cluster"), .. setArgs];
        foreach (var s in cluster.Seeds) args.AddRange(["--seed", s]);
        var multi = await ReplayAsync(file, args, []);
        var nodesCpu = pids.Select(CpuSeconds).Zip(before, (a, b) => a - b).Sum();
        var clusterCpu = multi.CpuSeconds + nodesCpu;
        Console.WriteLine($"cluster: 3 nodes {multi.EventsPerSecond:N0} events/s, {clusterCpu:F1} CPU-s ({nodesCpu:F1} nodes + {multi.CpuSeconds:F1} replay member)");

        report.Throughput("cluster", "events_per_s_3_nodes", multi.EventsPerSecond, "1/s", single.EventsPerSecond);
        var singlePerMillion = single.CpuSeconds / single.Events * 1e6;
        var clusterPerMillion = clusterCpu / multi.Events * 1e6;
        report.Figure("cluster", "cpu_s_per_million_events_3_nodes", clusterPerMillion, "s", singlePerMillion, singlePerMillion / clusterPerMillion);
    }

    private sealed record Run(double EventsPerSecond, long Events, double CpuSeconds);

    /// <summary>Runs <c>peeractors replay</c> as a process, sampling its CPU time from /proc until it exits.</summary>
    private static async Task<Run> ReplayAsync(string file, IReadOnlyList<string> args, IReadOnlyList<string> _)
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        var psi = new ProcessStartInfo(ProcessRunner.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(NodeProcess.NodeAssembly);
        psi.ArgumentList.Add("replay");
        psi.ArgumentList.Add(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--report-json");
        psi.ArgumentList.Add(json);
        psi.Environment["PEERACTORS_HOME"] = AppContext.BaseDirectory;
        psi.Environment["DOTNET_gcServer"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        double cpu = 0;
        while (!p.HasExited)
        {
            cpu = Math.Max(cpu, CpuSeconds(p.Id));
            await Task.Delay(50);
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"replay exited {p.ExitCode}:\n{await stdout}\n{await stderr}");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var r = doc.RootElement;
        return new Run(r.GetProperty("eventsPerSecond").GetDouble(), r.GetProperty("events").GetInt64(), cpu);
    }

    /// <summary>utime + stime of a live process, seconds (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string TempDir(string name) => Directory.CreateTempSubdirectory($"peeractors-bench-{name}-").FullName;


    private sealed class ConsoleOutput : ITestOutputHelper
    {
        public void WriteLine(string message) { }

        public void WriteLine(string format, params object[] args) { }
    }
}
