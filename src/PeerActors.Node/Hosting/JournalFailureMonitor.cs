using System.Data.Common;
using Akka.Event;

namespace PeerActors.Node.Hosting;

/// <summary>
/// Watches an ActorSystem's event stream for journal / snapshot-store failures — a persistent actor logs
/// <c>Failed to persist event …</c>, <c>Rejected to persist …</c> or <c>Persistence failure when replaying …</c> with the
/// database's exception (disk full, database locked, connection refused) — and calls back once with a one-line
/// description naming the cause, e.g. <c>journal write failed: SQLite Error 13: 'database or disk is full'</c>.
/// A batch command uses it to stop within seconds instead of waiting for its asks to time out.
/// </summary>
public sealed class JournalFailureMonitor : IDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _listener;

    private JournalFailureMonitor(ActorSystem system, Action<string> onFailure)
    {
        _system = system;
        _listener = system.ActorOf(Props.Create(() => new Listener(onFailure)).WithDeploy(Deploy.Local), "journal-failure-monitor-" + Guid.NewGuid().ToString("N"));
        system.EventStream.Subscribe(_listener, typeof(Error));
        system.EventStream.Subscribe(_listener, typeof(Warning));
    }

    /// <summary>Starts watching.</summary>
    /// <param name="system">The node's ActorSystem (its log level must let Warning through).</param>
    /// <param name="onFailure">Called at most once, on an actor thread, with the description.</param>
    /// <returns>The monitor; dispose to stop watching.</returns>
    public static JournalFailureMonitor Start(ActorSystem system, Action<string> onFailure)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(onFailure);
        return new JournalFailureMonitor(system, onFailure);
    }

    /// <summary>
    /// The description of <paramref name="e"/> when it reports a journal or snapshot-store failure, else null.
    /// </summary>
    /// <param name="e">A log event.</param>
    /// <returns>One line naming what failed and the database's message, or null.</returns>
    public static string? Describe(LogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = e.Message?.ToString() ?? "";
        var db = Innermost<DbException>(e.Cause);
        string? what =
            text.Contains("Failed to persist", StringComparison.OrdinalIgnoreCase) ? "journal write failed"
            : text.Contains("Rejected to persist", StringComparison.OrdinalIgnoreCase) ? "journal rejected a write"
            : text.Contains("Persistence failure when replaying", StringComparison.OrdinalIgnoreCase)
              || text.StartsWith(PeerActors.Peers.PeerActor.RecoveryFailedText, StringComparison.Ordinal) ? "journal read failed"
            : db is not null && (text.Contains("snapshot", StringComparison.OrdinalIgnoreCase) || text.Contains("journal", StringComparison.OrdinalIgnoreCase)) ? "persistence failed"
            : null;
        if (what is null) return null;
        var cause = db ?? e.Cause;
        var detail = cause is null ? FirstLine(text) : $"{FirstLine(cause.Message)} ({cause.GetType().Name})";
        return $"{what}: {detail}";
    }

    private static T? Innermost<T>(Exception? e) where T : Exception
    {
        T? found = null;
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is T t) found = t;
            if (x is AggregateException { InnerExceptions.Count: > 0 } agg && x.InnerException is null)
                return Innermost<T>(agg.InnerExceptions[0]) ?? found;
        }
        return found;
    }

    private static string FirstLine(string s)
    {
        var nl = s.IndexOfAny(['\r', '\n']);
        return nl < 0 ? s : s[..nl];
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        _system.EventStream.Unsubscribe(_listener);
        _system.Stop(_listener);
    }

    /// <summary>
    /// Reports the first failure that names a cause. Akka's journal circuit breaker, once open after failed calls, fails
    /// every later call with <c>OpenCircuitException</c>; such a failure can be logged before the failure that opened
    /// the breaker (log events of different actors are not ordered), so it is held for <see cref="BreakerGrace"/> in
    /// case the database's own error follows, and reported only if none does.
    /// </summary>
    private sealed class Listener : ReceiveActor, IWithTimers
    {
        private static readonly TimeSpan BreakerGrace = TimeSpan.FromSeconds(2);
        private bool _reported;
        private string? _held;

        public Listener(Action<string> onFailure)
        {
            Receive<LogEvent>(e =>
            {
                if (_reported || Describe(e) is not { } description) return;
                if (e.Cause is not null && Innermost<Akka.Pattern.OpenCircuitException>(e.Cause) is not null)
                {
                    if (_held is null) Timers.StartSingleTimer("breaker", ReportHeld.Instance, BreakerGrace);
                    _held ??= description;
                    return;
                }

                Report(onFailure, description);
            });
            Receive<ReportHeld>(_ =>
            {
                if (!_reported && _held is not null) Report(onFailure, _held);
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        private void Report(Action<string> onFailure, string description)
        {
            _reported = true;
            Timers.CancelAll();
            onFailure(description);
        }

        private sealed class ReportHeld
        {
            public static readonly ReportHeld Instance = new();
        }
    }
}
