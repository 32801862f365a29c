using System.Diagnostics;
using Xunit.Abstractions;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Flags of one <c>peeractors run --config cluster</c> process.</summary>
public sealed record NodeProcessOptions
{
    public required string Name { get; init; }
    public required string ConnectionString { get; init; }
    public required IReadOnlyList<string> Seeds { get; init; }
    public int RemotePort { get; init; }
    public int EndpointPort { get; init; }
    public string? Token { get; init; }
    public IReadOnlyList<string> Set { get; init; } = [];
}

/// <summary>
/// A real node process: <c>dotnet PeerActors.Node.dll run --config cluster --port … --seed …
/// --endpoint … --connection-string … --data-dir …</c> from the test's build output, with stdout and
/// stderr captured line by line. <see cref="Kill"/> sends SIGKILL (crash), <see cref="StopAsync"/>
/// SIGTERM (graceful CoordinatedShutdown). Dispose always kills what is still running and deletes the
/// data directory.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = new();
    private readonly object _gate = new();
    private readonly ITestOutputHelper? _output;
    private readonly string _dataDir;

    private NodeProcess(NodeProcessOptions options, Process process, string dataDir, ITestOutputHelper? output)
    {
        Options = options;
        _process = process;
        _dataDir = dataDir;
        _output = output;
    }

    public NodeProcessOptions Options { get; }

    public string Name => Options.Name;

    public int Pid => _process.Id;

    /// <summary>Akka address, e.g. <c>akka.tcp://peeractors@127.0.0.1:4053</c>.</summary>
    public string Address => AddressOf(Options.RemotePort);

    /// <summary>Management endpoint <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => $"127.0.0.1:{Options.EndpointPort}";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string AddressOf(int port) => $"akka.tcp://peeractors@127.0.0.1:{port}";

    /// <summary>A snapshot of the output lines so far (stdout and stderr interleaved, stderr prefixed).</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_gate) return _lines.ToArray(); }
    }

    /// <summary>Path of PeerActors.Node.dll in the test's build output.</summary>
    public static string NodeAssembly => Path.Combine(AppContext.BaseDirectory, "PeerActors.Node.dll");

    public static NodeProcess Start(NodeProcessOptions options, ITestOutputHelper? output = null)
    {
        var dataDir = Directory.CreateTempSubdirectory($"peeractors-{options.Name}-").FullName;
        var psi = new ProcessStartInfo(ProcessRunner.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        psi.ArgumentList.Add(NodeAssembly);
        psi.ArgumentList.Add("run");
        void Flag(string name, string value) { psi.ArgumentList.Add(name); psi.ArgumentList.Add(value); }
        Flag("--config", "cluster");
        Flag("--hostname", "127.0.0.1");
        Flag("--port", options.RemotePort.ToString());
        foreach (var seed in options.Seeds) Flag("--seed", seed);
        Flag("--endpoint", $"127.0.0.1:{options.EndpointPort}");
        Flag("--connection-string", options.ConnectionString);
        Flag("--data-dir", dataDir);
        if (options.Token is not null) Flag("--token", options.Token);
        foreach (var s in options.Set) Flag("--set", s);
        // The node must see only what the test gives it.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("PEERACTORS_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["PEERACTORS_HOME"] = AppContext.BaseDirectory;
        psi.Environment["DOTNET_gcServer"] = "0";

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var node = new NodeProcess(options, process, dataDir, output);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) node.Append(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) node.Append("ERR " + e.Data); };
        if (!process.Start()) throw new InvalidOperationException("cannot start the node process");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Append(string line)
    {
        lock (_gate) _lines.Add(line);
    }

    /// <summary>Bounded poll until an output line satisfies <paramref name="predicate"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var hit = Lines.FirstOrDefault(predicate);
            if (hit is not null) return hit;
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited ({ExitCode}) while waiting for {what}:\n{ProcessRunner.Tail(Lines)}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name}: no {what} within {timeout}:\n{ProcessRunner.Tail(Lines)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until this node has joined a cluster (it formed one as first seed, or got a Welcome).</summary>
    public Task WaitJoinedAsync(TimeSpan timeout) => WaitForLineAsync(
        l => l.Contains("is JOINING itself", StringComparison.Ordinal) || l.Contains("Welcome from", StringComparison.Ordinal),
        timeout, "cluster join");

    /// <summary>SIGKILL: the process dies at once, without CoordinatedShutdown.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM and wait for exit (bounded); returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited) ProcessRunner.SendSigterm(_process.Id);
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Waits for the process to exit on its own (bounded); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}:\n{ProcessRunner.Tail(Lines)}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException) { }
        await Task.Yield();
        _process.Dispose();
        if (_output is not null && Environment.GetEnvironmentVariable("PEERACTORS_TEST_NODE_LOGS") == "1")
            _output.WriteLine($"--- {Name} output ---\n{ProcessRunner.Tail(Lines, 200)}");
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
