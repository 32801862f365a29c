using System.CommandLine;
using System.Text.Json;
using PeerActors.Core.Selection;
using PeerActors.Node.Commands;
using PeerActors.Node.Evaluation;
using PeerActors.Node.Replay;
using Xunit;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary><c>peeractors evaluate</c> (issue #14) on the bundled sample, in process with captured output.</summary>
public sealed class EvaluateCommandTests
{
    private static readonly string Dir = TempDir();

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        root.Add(EvaluateCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(["evaluate", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Sample_against_itself_prints_the_table_and_writes_the_json()
    {
        var sample = Bundled("sample.csv");
        var json = Path.Combine(Dir, "eval.json");
        var (exit, stdout, stderr) = await RunAsync("--train", sample, "--test", sample, "--report-json", json);
        Assert.True(exit == 0, stderr);
        foreach (var name in Enum.GetNames<SelectionStrategy>().Append("naive").Append("random"))
            Assert.Matches($@"(?m)^{name}\s+\d\.\d{{3}}\s+\d+", stdout);
        Assert.Contains("receivers evaluated (>= 2 known senders): 250", stdout);

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var result = doc.RootElement.GetProperty("result");
        Assert.Equal(1000, result.GetProperty("trainSessions").GetInt32());
        Assert.Equal(250, result.GetProperty("receiversEvaluated").GetInt32());
        var rows = result.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal(10, rows.Count);
        // Trained and tested on the same sessions, ranking by the measured throughput must beat chance.
        Assert.True(rows["Throughput"].GetProperty("precision").GetDouble() > rows["random"].GetProperty("precision").GetDouble());
        Assert.True(rows["naive"].GetProperty("spearman").GetDouble() > 0.5);
        Assert.Equal(JsonValueKind.Null, rows["HighestSuccessRate"].GetProperty("spearman").ValueKind); // every sender ties
    }

    [Fact]
    public async Task The_table_shows_the_issues_sender_level_Spearman_beside_the_per_receiver_mean()
    {
        var sample = Bundled("sample.csv");
        var json = Path.Combine(Dir, "eval-labels.json");
        var (exit, stdout, stderr) = await RunAsync("--train", sample, "--test", sample, "--strategy", "Throughput", "--report-json", json);
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"(?m)^strategy\s+P\(top >= 80% best\)\s+hits\s+sender rho\s+receiver rho\s+\(recv\)", stdout);
        Assert.Contains("(issue #14's measure)", stdout);

        // The columns hold the JSON's senderSpearman, then spearman (per-receiver mean), then its receiver count.
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var naive = doc.RootElement.GetProperty("result").GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "naive");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var line = stdout.Split('\n').Single(l => l.StartsWith("naive ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(naive.GetProperty("senderSpearman").GetDouble().ToString("0.000", inv), line[3]);
        Assert.Equal(naive.GetProperty("spearman").GetDouble().ToString("0.000", inv), line[4]);
        Assert.Equal(naive.GetProperty("spearmanReceivers").GetInt32().ToString(inv), line[5]);
    }

    [Fact]
    public async Task Split_hours_and_strategy_filter()
    {
        var (exit, stdout, stderr) = await RunAsync("--train", Bundled("sample.csv"), "--split-hours", "20", "--strategy", "throughput", "--strategy", "Weighted");
        Assert.True(exit == 0, stderr);
        Assert.Contains("(first 20 h)", stdout);
        Assert.Contains("Throughput", stdout);
        Assert.DoesNotContain("UtilityUcb", stdout);
    }

    [Theory]
    [InlineData("--strategy", "Fastest")]
    [InlineData("--split-hours", "-1")]
    [InlineData("--half-life", "soon")]
    [InlineData("--prior-samples", "-2")]
    public async Task Bad_flags_exit_2(string flag, string value)
    {
        var sample = Bundled("sample.csv");
        var (exit, _, err) = await RunAsync("--train", sample, "--test", sample, flag, value);
        Assert.Equal(2, exit);
        Assert.Contains("evaluate:", err);
    }

    [Fact]
    public async Task Test_files_or_a_split_but_not_both()
    {
        var sample = Bundled("sample.csv");
        Assert.Equal(2, (await RunAsync("--train", sample)).Exit);
        Assert.Equal(2, (await RunAsync("--train", sample, "--test", sample, "--split-hours", "3")).Exit);
    }

    [Fact]
    public void Split_keeps_sessions_spanning_the_cut_out_of_both_parts()
    {
        var t0 = new DateTimeOffset(2020, 3, 14, 0, 0, 0, TimeSpan.Zero);
        SessionRecord S(string r, double startH, double endH) => new(r, "s", 1, 1, 0, 100, 10, t0.AddHours(startH), t0.AddHours(endH));
        var (train, test) = SelectionEvaluator.Split([S("a", 0, 1), S("b", 19, 21), S("c", 20, 22), S("d", 5, 20)], 20);
        Assert.Equal(["a", "d"], train.Select(s => s.Pid1));
        Assert.Equal(["c"], test.Select(s => s.Pid1));
    }

    [Fact]
    public void A_receiver_counts_when_its_top_pick_reaches_80_percent_of_its_best()
    {
        var t0 = new DateTimeOffset(2020, 3, 14, 0, 0, 0, TimeSpan.Zero);
        SessionRecord S(string recv, string send, long bytes, long ms, double h) => new(recv, send, 1, 1, 0, bytes, ms, t0.AddHours(h), t0.AddHours(h));
        // Training: "fast" 100 B/ms, "slow" 10 B/ms. Test: r1 gets 50 from fast, 60 from slow (50 >= 0.8·60: a hit);
        // r2 gets 10 from fast, 100 from slow (a miss); r3 has only one known sender (not evaluated).
        var train = new[] { S("x", "fast", 1000, 10, 1), S("x", "slow", 100, 10, 2) };
        var test = new[]
        {
            S("r1", "fast", 500, 10, 30), S("r1", "slow", 600, 10, 30),
            S("r2", "fast", 100, 10, 30), S("r2", "slow", 1000, 10, 30),
            S("r3", "fast", 100, 10, 30), S("r3", "unknown", 1000, 10, 30),
        };
        var result = SelectionEvaluator.Evaluate(train, test, new SelectionEvaluationOptions { Strategies = [SelectionStrategy.Throughput] });
        Assert.Equal(2, result.ReceiversEvaluated);
        var naive = result.Rows.Single(r => r.Name == SelectionEvaluator.NaiveName);
        Assert.Equal(0.5, naive.Precision);
        Assert.Equal(-1.0, naive.Spearman); // both receivers got more from "slow": ρ = −1 each
        Assert.Equal(2, naive.SpearmanReceivers);
    }
}
