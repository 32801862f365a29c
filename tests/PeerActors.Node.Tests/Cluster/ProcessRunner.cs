using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Result of a finished child process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public string Combined => StdOut + StdErr;
}

/// <summary>Small helpers for child processes and loopback ports.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="file"/> to completion (bounded by <paramref name="timeout"/>), capturing its output.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}");
        }
        return new ProcessResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A currently free TCP port on 127.0.0.1 (bound and released at once).</summary>
    public static int FreeLoopbackPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>
    /// A free loopback port below the ephemeral range (32768+ on Linux), so a member bound to it has a lower address
    /// than every node on <see cref="FreeLoopbackPort"/> ports: Akka makes it the cluster leader.
    /// </summary>
    public static int FreeLoopbackPortBelowEphemeral()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                l.Stop();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException("no free loopback port in 20000-32000");
    }

    /// <summary>Finds an executable on PATH or in <paramref name="extraDirs"/>; null when absent.</summary>
    public static string? Which(string name, IEnumerable<string>? extraDirs = null)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraDirs ?? []);
        foreach (var d in dirs)
        {
            var candidate = Path.Combine(d, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The <c>dotnet</c> host running the tests (DOTNET_HOST_PATH when set).</summary>
    public static string DotnetHost()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        var proc = Environment.ProcessPath;
        if (proc is not null && Path.GetFileNameWithoutExtension(proc).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return proc;
        return Which("dotnet") ?? "dotnet";
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    /// <summary>Sends SIGTERM (graceful stop: the host runs CoordinatedShutdown).</summary>
    public static void SendSigterm(int pid)
    {
        if (SysKill(pid, 15) != 0)
            throw new InvalidOperationException($"kill({pid}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Joins lines for diagnostics, keeping only the last <paramref name="max"/>.</summary>
    public static string Tail(IReadOnlyList<string> lines, int max = 60)
    {
        var sb = new StringBuilder();
        foreach (var l in lines.Skip(Math.Max(0, lines.Count - max))) sb.AppendLine(l);
        return sb.ToString();
    }
}
