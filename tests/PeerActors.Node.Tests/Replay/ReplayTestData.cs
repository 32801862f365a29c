using Parquet;
using Parquet.Schema;
using PeerActors.Node.Replay;

namespace PeerActors.Node.Tests.Replay;

/// <summary>Paths of the bundled test data and of the shared real-data directory, plus writers for temp inputs.</summary>
internal static class ReplayTestData
{
    public const string RealDayFile = "training_data_2020_03_14.parquet";

    public static string Bundled(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "data", "p2p-live-streaming", .. parts]);

    /// <summary>
    /// The shared real-data directory: &lt;repo&gt;/../shared/data/p2p-live-streaming (repo = the directory with
    /// PeerActors.sln), or the same relative path from any further ancestor (git worktrees live deeper).
    /// Throws with a clear message when the file is absent: this test must not silently pass.
    /// </summary>
    public static string RealDayPath()
    {
        var rel = Path.Combine("shared", "data", "p2p-live-streaming", RealDayFile);
        var tried = new List<string>();
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var repo = dir;
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "PeerActors.sln")))
            repo = repo.Parent;
        for (var d = (repo ?? dir).Parent; d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, rel);
            tried.Add(candidate);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(
            $"The real dataset day '{RealDayFile}' was not found. It must exist at <repo>/../{rel} " +
            $"(repo root: {repo?.FullName ?? "not found"}). Tried: {string.Join("; ", tried)}");
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "peeractors-replay-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static string WriteText(string dir, string name, string text)
    {
        var p = Path.Combine(dir, name);
        File.WriteAllText(p, text, new UTF8Encoding(false));
        return p;
    }

    public const string CsvHeader = ",pid1,pid2,cnt,throughput_avg,throughput_std,total_bytes,total_timespent,city1,city2,min_ts,max_ts,cnt_neighbour";

    /// <summary>The session columns alone (no city or neighbour columns), for hand-written rows.</summary>
    public const string MinimalCsvHeader = ",pid1,pid2,cnt,throughput_avg,throughput_std,total_bytes,total_timespent,min_ts,max_ts";

    /// <summary>Writes hand-written <paramref name="rows"/> (in <see cref="MinimalCsvHeader"/>'s columns) under that header, one per line.</summary>
    public static string WriteMinimalCsv(string dir, string name, params string[] rows) =>
        WriteText(dir, name, MinimalCsvHeader + "\n" + string.Concat(rows.Select(r => r + "\n")));

    public static string CsvTimestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00:00";

    public static string CsvLine(int index, SessionRecord r) => string.Create(CultureInfo.InvariantCulture,
        $"{index},{r.Pid1},{r.Pid2},{r.Cnt},{r.ThroughputAvg:R},{r.ThroughputStd:R},{r.TotalBytes},{r.TotalTimespentMs},\"Town, X\",Y,{CsvTimestamp(r.MinTs)},{CsvTimestamp(r.MaxTs)},7");

    public static string WriteCsv(string dir, string name, IEnumerable<SessionRecord> rows) =>
        WriteText(dir, name, CsvHeader + "\n" + string.Join("\n", rows.Select((r, i) => CsvLine(i, r))) + "\n");

    /// <summary>
    /// Writes rows as a Parquet file shaped like the real one (nullable columns, an extra bool column,
    /// a different column order, TIMESTAMP(MICROS)), optionally split into several row groups.
    /// </summary>
    public static async Task<string> WriteParquetAsync(string dir, string name, IReadOnlyList<SessionRecord> rows, int rowGroupSize = int.MaxValue)
    {
        var fPid2 = new DataField<string>("pid2", true);
        var fPid1 = new DataField<string>("pid1", true);
        var fCnt = new DataField<long?>("cnt");
        var fAvg = new DataField<double?>("throughput_avg");
        var fStd = new DataField<double?>("throughput_std");
        var fBytes = new DataField<long?>("total_bytes");
        var fTime = new DataField<long?>("total_timespent");
        var fSame = new DataField<bool?>("same_city");
        var fMin = new DateTimeDataField("min_ts", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: true);
        var fMax = new DateTimeDataField("max_ts", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: true);
        var schema = new ParquetSchema(fPid2, fPid1, fCnt, fAvg, fStd, fBytes, fTime, fSame, fMin, fMax);

        var path = Path.Combine(dir, name);
        await using (var fs = File.Create(path))
        {
            await using var w = await ParquetWriter.CreateAsync(schema, fs);
            foreach (var chunk in rows.Chunk(Math.Max(1, Math.Min(rowGroupSize, Math.Max(1, rows.Count)))))
            {
                using var g = w.CreateRowGroup();
                await g.WriteAsync(fPid2, chunk.Select(r => r.Pid2).ToArray());
                await g.WriteAsync(fPid1, chunk.Select(r => r.Pid1).ToArray());
                await g.WriteAsync<long>(fCnt, chunk.Select(r => (long?)r.Cnt).ToArray().AsMemory());
                await g.WriteAsync<double>(fAvg, chunk.Select(r => (double?)r.ThroughputAvg).ToArray().AsMemory());
                await g.WriteAsync<double>(fStd, chunk.Select(r => double.IsNaN(r.ThroughputStd) ? null : (double?)r.ThroughputStd).ToArray().AsMemory());
                await g.WriteAsync<long>(fBytes, chunk.Select(r => (long?)r.TotalBytes).ToArray().AsMemory());
                await g.WriteAsync<long>(fTime, chunk.Select(r => (long?)r.TotalTimespentMs).ToArray().AsMemory());
                await g.WriteAsync<bool>(fSame, chunk.Select(_ => (bool?)true).ToArray().AsMemory());
                await g.WriteAsync<DateTime>(fMin, chunk.Select(r => (DateTime?)DateTime.SpecifyKind(r.MinTs.UtcDateTime, DateTimeKind.Unspecified)).ToArray().AsMemory());
                await g.WriteAsync<DateTime>(fMax, chunk.Select(r => (DateTime?)DateTime.SpecifyKind(r.MaxTs.UtcDateTime, DateTimeKind.Unspecified)).ToArray().AsMemory());
            }
        }
        return path;
    }

    /// <summary>A minimal RFC 4180 line splitter (no embedded line breaks), independent of CsvHelper.</summary>
    public static string[] SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        fields.Add(sb.ToString());
        return fields.ToArray();
    }

    public static SessionRecord Rec(string pid1, string pid2, int cnt, long bytes, long timeMs, string min, string max,
        double avg = 100.0, double std = 10.0) =>
        new(pid1, pid2, cnt, avg, std, bytes, timeMs,
            DateTimeOffset.Parse(min, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime(),
            DateTimeOffset.Parse(max, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime());
}
