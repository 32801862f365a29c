using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>Runs <c>peeractors replay</c> in-process with captured output.</summary>
internal static class ReplayCli
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        root.Add(ReplayCommand.Create(o => NodeSettingsLoader.Load(o, new Dictionary<string, string?>(), AppContext.BaseDirectory)));
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await root.Parse(["replay", .. args]).InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = null,
        });
        return (exit, output.ToString(), error.ToString());
    }
}

public sealed class ReplayCommandTests
{
    private static readonly string Dir = TempDir();

    /// <summary>Runs the replay with <paramref name="args"/>; expects exit code 1 with every one of <paramref name="inErr"/> on stderr.</summary>
    private static async Task ExpectExit1(string[] args, params string[] inErr)
    {
        var (exit, _, err) = await ReplayCli.RunAsync(args);
        Assert.Equal(1, exit);
        foreach (var text in inErr) Assert.Contains(text, err);
    }

    [Fact]
    public async Task Missing_file_exits_1_naming_the_file()
    {
        var path = Path.Combine(Dir, "nope.csv");
        await ExpectExit1([path, "--data-dir", Dir], $"{path}: file not found");
    }

    [Theory]
    [InlineData("empty.csv", "the file is empty (0 bytes)")]
    [InlineData("header-only.csv", "no data rows")]
    [InlineData("missing-column.csv", "total_bytes")]
    public async Task Empty_file_or_missing_column_exits_1_naming_file_and_problem(string file, string detail)
    {
        var path = Bundled("bad", file);
        await ExpectExit1([path, "--data-dir", Dir], path, detail);
    }

    [Fact]
    public async Task Malformed_row_with_strict_exits_1_naming_file_and_line()
    {
        var path = Bundled("bad", "malformed-rows.csv");
        await ExpectExit1([path, "--strict", "--data-dir", Dir], $"{path}: line 3: cnt 'abc' is not a whole number");
    }

    [Fact]
    public async Task Unparsable_timestamp_with_strict_exits_1_naming_file_line_and_column()
    {
        var path = WriteMinimalCsv(TempDir(), "bad-ts.csv",
            "0,r,s,2,1.0,0.1,100,100,2020-07-03 20:00:00+00:00,2020-07-03 20:00:01+00:00",
            "1,r,s,2,1.0,0.1,100,100,not-a-time,2020-07-03 20:00:01+00:00");
        await ExpectExit1([path, "--strict", "--data-dir", Dir], $"{path}: line 3: min_ts 'not-a-time' is not a timestamp");
    }

    [Fact]
    public async Task Every_row_malformed_exits_1_with_nothing_readable_and_the_first_problems()
    {
        var path = WriteMinimalCsv(TempDir(), "all-bad.csv",
            "0,r,s,0,1.0,0.1,100,100,2020-07-03 20:00:00+00:00,2020-07-03 20:00:01+00:00",
            "1,r,s,2,1.0,0.1,100,100,yesterday,2020-07-03 20:00:01+00:00");
        await ExpectExit1([path, "--data-dir", Dir], "no readable sessions",
            $"{path}: line 2: cnt must be > 0", $"{path}: line 3: min_ts 'yesterday' is not a timestamp");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("fast")]
    [InlineData("NaN")]
    public async Task Bad_speed_exits_2_before_reading(string speed)
    {
        var (exit, _, err) = await ReplayCli.RunAsync(Bundled("sample.csv"), "--speed", speed, "--data-dir", Dir);
        Assert.Equal(2, exit);
        Assert.Contains("--speed", err);
    }

    [Theory]
    [InlineData("max", null)]
    [InlineData("MAX", null)]
    [InlineData("10", 10.0)]
    [InlineData("2.5x", 2.5)]
    [InlineData("0.5", 0.5)]
    public void Speed_parses_max_or_a_positive_factor(string text, double? expected)
    {
        Assert.True(ReplayCommand.TryParseSpeed(text, out var speed));
        Assert.Equal(expected, speed);
    }

    [Fact]
    public async Task Bad_configuration_exits_2_naming_the_key()
    {
        var (exit, _, err) = await ReplayCli.RunAsync(Bundled("sample.csv"), "--set", "peeractors.persistence.flush-interval=banana", "--data-dir", Dir);
        Assert.Equal(2, exit);
        Assert.Contains("peeractors.persistence.flush-interval", err);
    }
}
