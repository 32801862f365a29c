using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// Issue #12, finding 7: every startup failure exits 2 with one line naming the key or flag (no stack trace), through
/// the real entry point <see cref="NodeCli"/>; and a SQLite connection string never creates directories.
/// </summary>
public sealed class StartupErrorTests
{
    private readonly string _dir = TempDir();

    private static async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await NodeCli.InvokeAsync(args, output, error,
            o => NodeSettingsLoader.Load(o, new Dictionary<string, string?>(), AppContext.BaseDirectory));
        return (exit, output.ToString(), error.ToString());
    }

    private string Data => Path.Combine(_dir, "data");

    private static void AssertOneLine(string err, string name)
    {
        Assert.Contains(name, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("--port", "abc")]
    [InlineData("--bogus", "1")]
    public async Task A_bad_or_unknown_flag_exits_2_naming_it(string flag, string value)
    {
        var (exit, _, err) = await Cli("run", "--data-dir", Data, flag, value);
        Assert.Equal(2, exit);
        AssertOneLine(err, flag);
    }

    [Fact]
    public async Task A_replay_with_an_unknown_flag_exits_2_naming_it()
    {
        var (exit, _, err) = await Cli("replay", Bundled("sample.csv"), "--stirct");
        Assert.Equal(2, exit);
        AssertOneLine(err, "--stirct");
    }

    public static TheoryData<string, string[]> BadConfigurations => new()
    {
        { "peeractors.persistence.connection-string", ["--connection-string", "this is = not ; a ; connection string"] },
        { "peeractors.persistence.connection-string", ["--connection-string", "Data Source=/nonexistent-dir-12/sub/x.db"] },
        { "peeractors.limits.file", ["--set", "peeractors.limits.file=/nonexistent-12/limits.json"] },
        { "peeractors.limits.file", ["--set", "peeractors.limits.file=/tmp"] },
        { "peeractors.node.hostname", ["--hostname", "no-such-host.invalid"] },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task A_bad_value_exits_2_with_one_line_naming_the_key(string key, string[] flags)
    {
        var (exit, _, err) = await Cli(["run", "--data-dir", Data, "--port", "0", "--endpoint", "127.0.0.1:0", .. flags]);
        Assert.Equal(2, exit);
        AssertOneLine(err, key);
        Assert.False(Directory.Exists("/nonexistent-dir-12"), "a connection string must not create directories");
    }

    [Fact]
    public async Task A_data_dir_that_is_a_file_exits_2_naming_the_key()
    {
        var file = WriteText(_dir, "file", "x");
        var (exit, _, err) = await Cli("replay", Bundled("sample.csv"), "--data-dir", file);
        Assert.Equal(2, exit);
        AssertOneLine(err, "peeractors.data-dir");
    }

    [Fact]
    public async Task A_port_in_use_exits_2_naming_the_key()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, _, err) = await Cli("run", "--data-dir", Data, "--port", port.ToString(), "--endpoint", "127.0.0.1:0");
        Assert.Equal(2, exit);
        AssertOneLine(err, "peeractors.node.port");
        Assert.Contains("already in use", err);
    }

    [Fact]
    public async Task A_management_port_in_use_exits_2_naming_the_key()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, _, err) = await Cli("replay", Bundled("sample.csv"), "--data-dir", Data, "--endpoint", $"127.0.0.1:{port}");
        Assert.Equal(2, exit);
        AssertOneLine(err, "peeractors.management.endpoint");
    }

    [Fact]
    public async Task A_misspelt_key_in_an_overlay_file_exits_2_naming_it()
    {
        var overlay = WriteText(_dir, "mine.conf", "peeractors.persistence.flush-intervall = 2s\n");
        var (exit, _, err) = await Cli("run", "--config", overlay, "--data-dir", Data, "--port", "0");
        Assert.Equal(2, exit);
        AssertOneLine(err, "peeractors.persistence.flush-intervall");
    }

    [Theory]
    [InlineData("run")]
    [InlineData("replay")]
    public async Task A_database_that_cannot_be_opened_is_a_one_line_startup_error_with_exit_2(string command)
    {
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, "peeractors.db"), new string('x', 8192)); // not a SQLite file
        string[] args = command == "run"
            ? ["run", "--data-dir", Data, "--port", "0", "--endpoint", "127.0.0.1:0"]
            : ["replay", Bundled("sample.csv"), "--data-dir", Data];
        var (exit, _, err) = await Cli(args);
        Assert.Equal(2, exit);
        AssertOneLine(err, "Startup error: the node could not start: SqliteException");
    }
}
