using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeerActors.Node.Evaluation;

/// <summary>
/// The output of <c>peeractors evaluate</c>: inputs, settings and the <see cref="SelectionEvaluationResult"/>, as
/// JSON (camelCase) and as a terminal table.
/// </summary>
public sealed record EvaluationReport
{
    /// <summary>Training files as given.</summary>
    public required IReadOnlyList<string> TrainFiles { get; init; }

    /// <summary>Test files as given (empty with <see cref="SplitHours"/>).</summary>
    public required IReadOnlyList<string> TestFiles { get; init; }

    /// <summary>Hours of the first part when one input was split (training = sessions ended by the cut, test = started after it); null otherwise.</summary>
    public double? SplitHours { get; init; }

    /// <summary>Half-life of the throughput estimator, ms.</summary>
    public required double ThroughputHalfLifeMs { get; init; }

    /// <summary>Correlation (burst) half-life of the throughput estimator, ms.</summary>
    public required double ThroughputBurstHalfLifeMs { get; init; }

    /// <summary>Prior strength of the Throughput strategy, weighted samples.</summary>
    public required double ThroughputPriorSamples { get; init; }

    /// <summary>Seed of Random and of the random baseline.</summary>
    public required int Seed { get; init; }

    /// <summary>Malformed rows skipped while reading.</summary>
    public required long RowsSkipped { get; init; }

    /// <summary>The figures.</summary>
    public required SelectionEvaluationResult Result { get; init; }

    /// <summary>Indented JSON: <c>trainFiles</c>, <c>testFiles</c>, <c>splitHours</c>, settings, and <c>result</c>
    /// (<c>receiversEvaluated</c>, <c>sendersEvaluated</c>, <c>rows[]</c> of <c>name</c>, <c>precision</c>, <c>hits</c>, <c>spearman</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Replay.ReplayReport.Json);

    /// <summary>The report as a terminal table, one line per ranking.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var r = Result;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"train: {string.Join(", ", TrainFiles)}{(SplitHours is { } h ? $" (first {h.ToString(inv)} h)" : "")}");
        sb.AppendLine(inv, $"test:  {(SplitHours is { } h2 ? $"the same input after {h2.ToString(inv)} h" : string.Join(", ", TestFiles))}");
        sb.AppendLine(inv, $"sessions: train {r.TrainSessions:N0}, test {r.TestSessions:N0}; ranked senders {r.TrainSenders:N0}; ranking at {r.TrainEnd:u}");
        sb.AppendLine(inv, $"receivers evaluated (>= 2 known senders): {r.ReceiversEvaluated:N0}; senders in Spearman: {r.SendersEvaluated:N0}");
        sb.AppendLine(inv, $"throughput: half-life {ThroughputHalfLifeMs / 3_600_000.0:0.##} h, burst half-life {ThroughputBurstHalfLifeMs / 1000.0:0.##} s, prior {ThroughputPriorSamples:0.###} samples, population mean {r.PopulationMeanBytesPerMs:0.###} KB/s");
        sb.AppendLine();
        // Two Spearman figures: the issue's measure (#14, "Spearman(score, D+1 throughput)") is the sender-level one, one
        // point per known sender; the per-receiver mean asks the harder question of ordering each receiver's own senders.
        sb.AppendLine(inv, $"{"strategy",-20} {"P(top >= 80% best)",18} {"hits",6} {"sender rho",10} {"receiver rho",12} {"(recv)",6}");
        foreach (var row in r.Rows)
            sb.AppendLine(inv, $"{row.Name,-20} {row.Precision,18:0.000} {row.Hits,6} {F(row.SenderSpearman),10} {F(row.Spearman),12} {row.SpearmanReceivers,6}");
        sb.AppendLine();
        sb.AppendLine("sender rho   = Spearman over known senders of the ranking vs each sender's test throughput (issue #14's measure)");
        sb.AppendLine("receiver rho = mean over evaluated receivers of Spearman between the ranking of their known senders and the pair throughputs");
        return sb.ToString();

        string F(double? v) => v is { } x ? x.ToString("0.000", inv) : "undef";
    }
}
