namespace PeerActors.Node.Replay;

/// <summary>
/// One row of the P2P live-streaming dataset (j-maz/p2p-live-streaming-dataset): a session in which
/// receiver <see cref="Pid1"/> pulled <see cref="Cnt"/> video chunks from sender <see cref="Pid2"/>.
/// Location/ISP columns are not kept. The readers only produce records that pass <see cref="SessionRecordRules.Check"/>;
/// the record itself does not re-validate.
/// </summary>
/// <param name="Pid1">Receiver peer id (column <c>pid1</c>, a UUID string; never empty).</param>
/// <param name="Pid2">Sender peer id (column <c>pid2</c>, a UUID string; never empty).</param>
/// <param name="Cnt">Number of chunks transferred during the session (column <c>cnt</c>, &gt; 0).</param>
/// <param name="ThroughputAvg">Mean observed throughput in KB/s (column <c>throughput_avg</c>, finite, ≥ 0).</param>
/// <param name="ThroughputStd">Standard deviation of throughput in KB/s (column <c>throughput_std</c>);
/// <see cref="double.NaN"/> when the file leaves it empty/null (undefined for one-chunk sessions).</param>
/// <param name="TotalBytes">Bytes transferred in the session (column <c>total_bytes</c>, ≥ 0).</param>
/// <param name="TotalTimespentMs">Total milliseconds spent transferring those bytes (column <c>total_timespent</c>, ≥ 0).</param>
/// <param name="MinTs">Session start, UTC (column <c>min_ts</c>).</param>
/// <param name="MaxTs">Session end, UTC (column <c>max_ts</c>, ≥ <paramref name="MinTs"/>).</param>
public sealed record SessionRecord(
    string Pid1,
    string Pid2,
    int Cnt,
    double ThroughputAvg,
    double ThroughputStd,
    long TotalBytes,
    long TotalTimespentMs,
    DateTimeOffset MinTs,
    DateTimeOffset MaxTs)
{
    /// <summary>Receiver peer id; alias of <see cref="Pid1"/>.</summary>
    public string ReceiverId => Pid1;

    /// <summary>Sender peer id; alias of <see cref="Pid2"/>.</summary>
    public string SenderId => Pid2;
}

/// <summary>Column names of the dataset, shared by the CSV and Parquet readers (matched case-sensitively, by name).</summary>
public static class SessionColumns
{
    /// <summary>Receiver peer id.</summary>
    public const string Pid1 = "pid1";
    /// <summary>Sender peer id.</summary>
    public const string Pid2 = "pid2";
    /// <summary>Chunk count.</summary>
    public const string Cnt = "cnt";
    /// <summary>Mean throughput, KB/s.</summary>
    public const string ThroughputAvg = "throughput_avg";
    /// <summary>Throughput standard deviation, KB/s.</summary>
    public const string ThroughputStd = "throughput_std";
    /// <summary>Bytes in the session.</summary>
    public const string TotalBytes = "total_bytes";
    /// <summary>Milliseconds spent transferring.</summary>
    public const string TotalTimespent = "total_timespent";
    /// <summary>Session start timestamp.</summary>
    public const string MinTs = "min_ts";
    /// <summary>Session end timestamp.</summary>
    public const string MaxTs = "max_ts";

    /// <summary>The columns every input file must have, in the order they are checked and reported.</summary>
    public static IReadOnlyList<string> Required { get; } =
        [Pid1, Pid2, Cnt, ThroughputAvg, ThroughputStd, TotalBytes, TotalTimespent, MinTs, MaxTs];
}
