using System.Runtime.InteropServices;

namespace PeerActors.Node.Commands;

/// <summary>
/// Why a batch command (<c>replay</c>) stops early, and its exit code: SIGINT (Ctrl+C, 130) and SIGTERM (143) are
/// handled the same way — the token is cancelled, the command stops sending, and the node is still stopped gracefully
/// (CoordinatedShutdown flushes what was sent) — and a journal failure (<see cref="ExitCodes.JournalFailure"/>) found by
/// <see cref="Hosting.JournalFailureMonitor"/>. The first reason wins.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private string? _reason;
    private int _exitCode;

    private StopSignals(CancellationToken outer) => _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);

    /// <summary>Cancelled when a stop is requested (or the outer token is).</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>What stopped the command, e.g. <c>SIGTERM</c> or <c>journal failure: …</c>; null while running.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>The exit code for <see cref="Reason"/> (0 while running).</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>True when a stop was requested (not by the outer token alone).</summary>
    public bool IsStopped => Reason is not null;

    /// <summary>Registers SIGINT and SIGTERM (and SIGQUIT on Unix) handlers that cancel <see cref="Token"/> instead of
    /// killing the process.</summary>
    /// <param name="outer">Cancellation from the caller.</param>
    /// <param name="handleSignals">False in tests: no process-wide handlers.</param>
    /// <returns>The signals; dispose to unregister.</returns>
    public static StopSignals Register(CancellationToken outer, bool handleSignals = true)
    {
        var s = new StopSignals(outer);
        if (handleSignals)
        {
            s._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => s.OnSignal(c, "SIGINT (Ctrl+C)", ExitCodes.Interrupted)));
            s._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => s.OnSignal(c, "SIGTERM", ExitCodes.Terminated)));
            if (!OperatingSystem.IsWindows())
                s._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => s.OnSignal(c, "SIGQUIT", 131)));
        }
        return s;
    }

    /// <summary>Requests a stop (the first request wins).</summary>
    /// <param name="reason">What happened, one line.</param>
    /// <param name="exitCode">The exit code to use.</param>
    public void Stop(string reason, int exitCode)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is not null)
            return;
        Volatile.Write(ref _exitCode, exitCode);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // stopping after the command finished: nothing left to cancel
        }
    }

    private void OnSignal(PosixSignalContext context, string name, int exitCode)
    {
        // A second signal while stopping gets the default behaviour (terminate at once).
        if (IsStopped) return;
        context.Cancel = true;
        Stop(name, exitCode);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
