namespace PeerActors.Node.Tests.Hosting;

/// <summary><c>peeractors run</c> refuses to start on configuration errors found while composing the node.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peeractors-run-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_bad_limits_file_stops_the_node_with_exit_code_2_naming_the_key()
    {
        var limits = Path.Combine(_dir, "limits.json");
        await File.WriteAllTextAsync(limits, """{ "System": { "ConnsInbound": "lots" } }""");
        var root = new RootCommand { RunCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await root.Parse(["run", "--data-dir", Path.Combine(_dir, "data"), "--port", "0",
                "--endpoint", "127.0.0.1:0", "--set", $"peeractors.limits.file={limits}"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.ConfigurationError, exit);
        Assert.Contains("peeractors.limits.file", error.ToString());
        Assert.Contains("System.ConnsInbound", error.ToString());
    }
}
