using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PeerActors.Benchmarks.Harness;
using PeerActors.Node.Tests.ClusterNodes;
using PeerActors.Peers;
using PeerActors.Selection;
using PeerActors.Serialization;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// <c>serialization</c>: stored size and speed of the peer events and snapshots, Protocol Buffers (the current manifests:
/// <c>peer-flushed-delta.v2</c>, <c>peer-snapshot.v3</c>, …) against their JSON form (<c>peer-flushed-delta.v1</c>,
/// <c>peer-snapshot.v2</c>, …), on the events a real replay wrote, and of the score inputs each peer publishes to every
/// node (<c>peer-score-inputs.v2</c> against <c>.v1</c>). The trace is replayed by <c>peeractors replay</c> into
/// a fresh SQLite journal; every stored event and snapshot is read back and written both ways (the JSON bytes are
/// exactly what the JSON manifests stored: the same System.Text.Json call and options). Default: the real day
/// <c>training_data_2020_03_14.parquet</c> from <c>../shared/data</c> when present, else the bundled sample;
/// <c>--quick</c>: the bundled 1,000-session sample.
/// </summary>
public sealed class SerializationSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "serialization";

    /// <inheritdoc />
    public string Description => "bytes per flush event / snapshot and round trips/s: Protocol Buffers vs JSON, on a replayed real trace";

    /// <inheritdoc />
    public async Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var file = Traces.For(options);
        var dir = Directory.CreateTempSubdirectory("peeractors-bench-serialization-");
        try
        {
            Console.WriteLine($"serialization: replaying {file}");
            await ReplayAsync(file, dir.FullName);
            var serializer = new PeerSerializer(null!);
            var (events, snapshots) = ReadStored(Path.Combine(dir.FullName, "peeractors.db"), serializer);
            var flushes = events.Where(e => e is IFlushEvent).ToList();
            Console.WriteLine($"# events={events.Count} flush_events={flushes.Count} snapshots={snapshots.Count} " +
                              $"stored_manifests: {string.Join(", ", events.Concat(snapshots).GroupBy(serializer.Manifest).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"))}");

            var flushSize = Sizes(serializer, flushes);
            var snapshotSize = Sizes(serializer, snapshots);
            var allSize = Sizes(serializer, events);
            // What each peer publishes to every node after a flush, built from the stored states (one per snapshot).
            var inputs = snapshots.Cast<PeerSnapshot>().Select((snap, i) => (object)new PeerScoreInputs(snap.State.Stats, i,
                snap.State.Protocols, snap.State.Services, BannedUntil: snap.Ban?.Until, BanReason: snap.Ban?.Reason)).ToList();
            var inputsSize = Sizes(serializer, inputs);
            Console.WriteLine($"# flush events: proto {flushSize.Proto:F1} B, json {flushSize.Json:F1} B per event; " +
                              $"all events: proto {allSize.Proto:F1} B, json {allSize.Json:F1} B; " +
                              $"snapshots: proto {snapshotSize.Proto:F1} B, json {snapshotSize.Json:F1} B");
            // Bytes: smaller is better, so ratio = JSON / proto.
            report.Figure("serialization", "flush_event_bytes", flushSize.Proto, "bytes", flushSize.Json, flushSize.Json / flushSize.Proto);
            report.Figure("serialization", "event_bytes", allSize.Proto, "bytes", allSize.Json, allSize.Json / allSize.Proto);
            report.Figure("serialization", "snapshot_bytes", snapshotSize.Proto, "bytes", snapshotSize.Json, snapshotSize.Json / snapshotSize.Proto);
            report.Figure("serialization", "score_inputs_bytes", inputsSize.Proto, "bytes", inputsSize.Json, inputsSize.Json / inputsSize.Proto);

            // Speed: write + read of each value, best of three alternating rounds (the machine is shared).
            var budget = TimeSpan.FromSeconds(options.Quick ? 0.5 : 2);
            var flushSpeed = RoundTrips(serializer, flushes, budget);
            var snapshotSpeed = RoundTrips(serializer, snapshots, budget);
            report.Throughput("serialization", "flush_event_roundtrips_per_s", flushSpeed.Proto, "1/s", flushSpeed.Json);
            report.Throughput("serialization", "snapshot_roundtrips_per_s", snapshotSpeed.Proto, "1/s", snapshotSpeed.Json);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static (double Proto, double Json) Sizes(PeerSerializer serializer, IReadOnlyList<object> values)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        long proto = 0, json = 0;
        foreach (var v in values)
        {
            proto += serializer.ToBinary(v).Length;
            json += Json(serializer, v).Length;
        }
        return ((double)proto / values.Count, (double)json / values.Count);
    }

    /// <summary>The JSON payload the JSON manifests stored (VersionedJsonSerializer's call, PeerSerializer's options).</summary>
    private static byte[] Json(PeerSerializer serializer, object value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), serializer.Options);

    private static (double Proto, double Json) RoundTrips(PeerSerializer serializer, IReadOnlyList<object> values, TimeSpan budget)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        var sample = values.Take(20_000).ToArray();
        var manifests = sample.Select(serializer.Manifest).ToArray();
        double proto = 0, json = 0;
        for (var round = 0; round < 3; round++)
        {
            proto = Math.Max(proto, Rate(sample, budget, (v, i) => serializer.FromBinary(serializer.ToBinary(v), manifests[i])));
            json = Math.Max(json, Rate(sample, budget, (v, _) => JsonSerializer.Deserialize(Json(serializer, v), v.GetType(), serializer.Options)!));
        }
        return (proto, json);
    }

    private static double Rate(object[] sample, TimeSpan budget, Func<object, int, object> roundTrip)
    {
        long n = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            for (var i = 0; i < sample.Length; i++) GC.KeepAlive(roundTrip(sample[i], i));
            n += sample.Length;
        } while (clock.Elapsed < budget);
        return n / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Every event and snapshot the peer serializer wrote into the journal, read back.</summary>
    private static (List<object> Events, List<object> Snapshots) ReadStored(string db, PeerSerializer serializer)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        c.Open();
        return (Read(c, "SELECT manifest, message FROM journal WHERE identifier = $id ORDER BY ordering", serializer),
            Read(c, "SELECT manifest, snapshot FROM snapshot WHERE serializer_id = $id", serializer));
    }

    private static List<object> Read(SqliteConnection c, string sql, PeerSerializer serializer)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", PeerSerializer.SerializerId);
        using var r = cmd.ExecuteReader();
        var values = new List<object>();
        while (r.Read()) values.Add(serializer.FromBinary((byte[])r.GetValue(1), r.GetString(0)));
        return values;
    }

    /// <summary>Runs <c>peeractors replay</c> (max speed) into <paramref name="dataDir"/>; the journal is peeractors.db there.</summary>
    private static async Task ReplayAsync(string file, string dataDir)
    {
        var psi = new ProcessStartInfo(ProcessRunner.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(NodeProcess.NodeAssembly);
        foreach (var a in new[] { "replay", file, "--data-dir", dataDir }) psi.ArgumentList.Add(a);
        psi.Environment["PEERACTORS_HOME"] = AppContext.BaseDirectory;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"replay exited {p.ExitCode}:\n{await stdout}\n{await stderr}");
    }

}
