using Akka.Event;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>Which log events are journal failures, and how they are described (issue #12, findings 3 and 4).</summary>
public sealed class JournalFailureMonitorTests
{
    private static readonly Error BreakerOpen = Failed("Persistence failure when replaying events for persistenceId [peer-y].",
        new Akka.Pattern.OpenCircuitException("Circuit Breaker is open; calls are failing fast"));

    private static Error Failed(string message, Exception cause) => new(cause, "akka://peeractors/system/sharding/peer/1/x", typeof(object), message);

    /// <summary>Publishes <paramref name="events"/> on a fresh system's event stream and returns the first failure its monitor reports (within 10 s).</summary>
    private static async Task<string> FirstReportAfter(params Error[] events)
    {
        using var system = ActorSystem.Create("monitor-test", "akka.loglevel = OFF");
        var reported = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var monitor = JournalFailureMonitor.Start(system, d => reported.TrySetResult(d));
        foreach (var e in events) system.EventStream.Publish(e);
        return await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_failed_persist_is_described_by_the_database_error()
    {
        var full = new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);
        var e = Failed("Failed to persist event type [ObservationsFlushed] with sequence number [3] for persistenceId [peer-x].",
            new AggregateException(new InvalidOperationException("write failed", full)));

        Assert.Equal("journal write failed: SQLite Error 13: 'database or disk is full'. (SqliteException)", JournalFailureMonitor.Describe(e));
    }

    [Fact]
    public void A_failed_recovery_is_a_read_failure()
    {
        var e = Failed("Persistence failure when replaying events for persistenceId [peer-x].", new SqliteException("SQLite Error 5: 'database is locked'.", 5));
        Assert.Equal("journal read failed: SQLite Error 5: 'database is locked'. (SqliteException)", JournalFailureMonitor.Describe(e));
    }

    [Fact]
    public void A_peer_actors_own_recovery_failure_line_is_a_read_failure()
    {
        var cause = new SqliteException("SQLite Error 10: 'disk I/O error'.", 10);
        var line = PeerActors.Peers.PeerActor.DescribeRecoveryFailure("peer-x", 0, new InvalidOperationException("circuit open", cause), null);
        Assert.Equal("journal read failed: SQLite Error 10: 'disk I/O error'. (SqliteException)", JournalFailureMonitor.Describe(Failed(line, cause)));
        Assert.EndsWith("it recovers again on its next message once the store answers.", line);
    }

    [Fact]
    public void Other_errors_are_not_journal_failures()
    {
        Assert.Null(JournalFailureMonitor.Describe(Failed("Association with remote system failed", new IOException("connection reset"))));
        Assert.Null(JournalFailureMonitor.Describe(new Warning("x", typeof(object), "Dead letter")));
    }

    [Fact]
    public async Task An_open_breaker_logged_before_the_database_error_gives_way_to_the_database_error()
    {
        var report = await FirstReportAfter(BreakerOpen,
            Failed("Failed to persist event type [ObservationsFlushed] with sequence number [3] for persistenceId [peer-x].",
                new SqliteException("SQLite Error 10: 'disk I/O error'.", 10)));

        Assert.Equal("journal write failed: SQLite Error 10: 'disk I/O error'. (SqliteException)", report);
    }

    [Fact]
    public async Task An_open_breaker_alone_is_reported_after_its_grace()
    {
        Assert.Equal("journal read failed: Circuit Breaker is open; calls are failing fast (OpenCircuitException)",
            await FirstReportAfter(BreakerOpen));
    }
}
