using Akka.Configuration;
using PeerActors.Node.Hosting;
using PeerActors.Node.Replay;

namespace PeerActors.Node.Commands;

/// <summary>
/// <c>peeractors replay &lt;file&gt;... [--data-dir DIR] [--report-json FILE] [--speed N|max] [--strict] [--top N]</c>:
/// starts an embedded node (the composition of <c>run</c>), replays P2P live-streaming sessions (CSV / Parquet)
/// through it with the trace's timestamps, prints a report, and shuts the node down gracefully
/// (CoordinatedShutdown: pending coalesced events are flushed, so the next run recovers them).
/// Unless <c>--port</c> / <c>--endpoint</c> are given, the node binds free loopback ports (a replay is a batch job and
/// must not collide with a running node). Every row is validated (domain rules, <c>peeractors.replay.*</c> bounds) while
/// it is read, before anything is sent. Exit codes: 0 ok; 1 bad input, nothing readable, a failed consistency check
/// (e.g. ingress mismatch) or an unexpected error; 2 configuration, flag or startup error (including a data directory
/// owned by another process); 3 journal failure (disk full, database locked); 130 SIGINT, 143 SIGTERM (both stop
/// sending, stop the node gracefully and print a partial report).
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Cluster role of a replay that joins a cluster (seed nodes set) without <c>--role</c>: hosts no peers.</summary>
    public const string ReplayClientRole = "replayer";
    /// <summary>The trace-sized limits file a replay uses unless <c>peeractors.limits.file</c> is given (see README, Replay).</summary>
    public const string ReplayLimitsFile = "config/replay-limits.json";

    /// <summary>
    /// Adds <c>peeractors.limits.file=config/replay-limits.json</c> unless the limits file is chosen with <c>--set</c> or
    /// <c>PEERACTORS_LIMITS__FILE</c>. A trace is a whole swarm's sessions (thousands of receiving hosts) replayed into
    /// one node: a per-host aggregate limit (system, transient, service, protocol) cannot apply to their sum, so that
    /// file makes those unlimited and keeps the per-peer ones (PeerDefault, ServicePeer, the per-subnet limit).
    /// </summary>
    internal static IReadOnlyList<string> WithReplayLimits(IReadOnlyList<string>? set)
    {
        set ??= [];
        if (set.Any(kv => kv.StartsWith("peeractors.limits.file", StringComparison.Ordinal))
            || Environment.GetEnvironmentVariable("PEERACTORS_LIMITS__FILE") is not null)
            return set;
        return [.. set, "peeractors.limits.file=" + ReplayLimitsFile];
    }

    /// <summary>Creates the subcommand.</summary>
    /// <param name="loadSettings">Settings loader (tests pass one with a fixed environment); default
    /// <see cref="NodeSettingsLoader.LoadForProcess"/>.</param>
    public static Command Create(Func<NodeOverrides, NodeSettings>? loadSettings = null)
    {
        loadSettings ??= NodeSettingsLoader.LoadForProcess;
        var options = new NodeOptions();
        var files = new Argument<string[]>("file") { Description = "Dataset files (CSV or Parquet, read by column name); several allowed.", Arity = ArgumentArity.OneOrMore };
        // An unknown flag would otherwise be taken as one more input file ("file not found", exit 1).
        files.Validators.Add(r =>
        {
            foreach (var t in r.Tokens.Where(t => t.Value.StartsWith('-') && !File.Exists(t.Value)))
                r.AddError($"Unrecognized command or argument '{t.Value}'.");
        });
        var reportJson = new Option<string?>("--report-json") { Description = "Also write the report as JSON to this file." };
        var speed = new Option<string>("--speed") { Description = "max (default) or N: N× real time, paced by the data's timestamps.", DefaultValueFactory = _ => "max" };
        var strict = new Option<bool>("--strict") { Description = "Abort on the first malformed row instead of skipping it." };
        var resume = new Option<bool>("--resume") { Description = "Complete the interrupted replay of the same files on this data directory (nothing is counted twice)." };
        var top = new Option<int>("--top") { Description = "Number of peers in topPeersByScore (default 10).", DefaultValueFactory = _ => 10 };

        var command = options.AddTo(new Command("replay", "Replay P2P live-streaming sessions (CSV/Parquet) through an embedded node and report."));
        command.Add(files);
        command.Add(reportJson);
        command.Add(speed);
        command.Add(strict);
        command.Add(resume);
        command.Add(top);
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;

            if (!TryParseSpeed(result.GetValue(speed), out var speedFactor))
            {
                error.WriteLine($"replay: --speed: expected 'max' or a number > 0, got '{result.GetValue(speed)}'");
                return ExitCodes.ConfigurationError;
            }
            var topCount = result.GetValue(top);
            if (topCount < 1)
            {
                error.WriteLine($"replay: --top: expected a number >= 1, got {topCount}");
                return ExitCodes.ConfigurationError;
            }

            var overrides = options.ToOverrides(result);
            overrides = overrides with
            {
                Port = overrides.Port ?? 0,
                Endpoint = overrides.Endpoint ?? "127.0.0.1:0",
                Set = WithReplayLimits(overrides.Set),
            };
            NodeSettings settings;
            try
            {
                settings = loadSettings(overrides);
            }
            catch (NodeConfigurationException e)
            {
                error.WriteLine($"Configuration error: {e.Message}");
                return ExitCodes.ConfigurationError;
            }

            // Joining a cluster (seed nodes given), the replay is a client: it hosts no peers and no coordinator (a
            // shard-region proxy), so it never takes shards away from the nodes or starts a second coordinator.
            if (settings.SeedNodes.Count > 0 && overrides.Role is null && settings.HostsPeers)
                settings = settings with { Role = ReplayClientRole };
            // The data directory is owned by this process from here on (refused at once when another process holds it).
            DataDirectoryLock dataLock;
            try
            {
                dataLock = DataDirectoryLock.Acquire(settings.DataDirectory);
            }
            catch (NodeConfigurationException e)
            {
                error.WriteLine($"Configuration error: {e.Message}");
                return ExitCodes.ConfigurationError;
            }
            using var dataLockScope = dataLock;

            // A replay is a batch job: Akka's own INFO lines (remoting start/stop) would clutter the report.
            if (!(result.GetValue(options.Set) ?? []).Any(kv => kv.StartsWith("akka.loglevel", StringComparison.Ordinal)))
                settings = settings with { Hocon = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(settings.Hocon) };
            // The replay handles SIGINT / SIGTERM itself (StopSignals): Akka must not run CoordinatedShutdown on its own when
            // one arrives (the replay would then fail against a stopping node instead of stopping first).
            settings = settings with { Hocon = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off").WithFallback(settings.Hocon) };
            // Months of data pass in minutes: idleness is measured in data time, or no peer would ever be idle long enough
            // to be passivated and memory would grow with every peer ever seen.
            settings = settings with { PassivateByObservationClock = true };
            // Idle peers stop and restart all the time in a replay: a snapshot per stop would cost a snapshot write and two
            // deletions each; one every 4 events since the last keeps that cost down while the deletions of covered events
            // keep the journal small (3 days: 113 MB journal without deletions; with them and after VACUUM 73 MB at 16,
            // 55 MB at 4, 51 MB at 2 events, the last at twice the CPU time). Unless configured.
            if (!(result.GetValue(options.Set) ?? []).Any(kv => kv.StartsWith("peeractors.persistence.snapshot-on-passivation-min-events", StringComparison.Ordinal))
                && Environment.GetEnvironmentVariable("PEERACTORS_PERSISTENCE__SNAPSHOT_ON_PASSIVATION_MIN_EVENTS") is null
                && settings.SnapshotOnPassivationMinEvents == 1) // the default: an overlay's own value is kept
                settings = settings with { SnapshotOnPassivationMinEvents = 4 };
            // A replay writes months of deltas in minutes: the events a snapshot covers are deleted (all but the last),
            // or the journal grows with every session ever replayed (peeractors.persistence.delete-events-on-snapshot).
            // On SQLite in one statement once the node has stopped (SqliteCompaction.DeleteCoveredEvents): the plugin
            // runs each peer's deletion inside its one journal actor, in front of every write and recovery of the node.
            // The input can be replayed again: no fsync per commit (peeractors.persistence.sqlite-synchronous).
            if (settings.SqliteSynchronous == SqliteSynchronous.Replay)
                settings = settings with { SqliteSynchronous = SqliteSynchronous.Normal };
            var deleteCoveredAtEnd = settings.DeleteEventsOnSnapshot == EventDeletion.Replay && settings.PersistenceProvider == PersistenceProvider.Sqlite;
            if (settings.DeleteEventsOnSnapshot == EventDeletion.Replay && !deleteCoveredAtEnd)
                settings = settings with { DeleteEventsOnSnapshot = EventDeletion.On };

            // Streamed: each file is read once here (validated and totalled, sessions not kept) and again when the replay reaches it.
            SessionScan input;
            var inputFiles = result.GetValue(files) ?? [];
            try
            {
                input = await SessionSource.ScanAsync(inputFiles, result.GetValue(strict), settings.ReplayInput,
                    inputFiles.Length > 1 ? line => output.WriteLine(line) : null, ct);
            }
            catch (ReplayInputException e)
            {
                error.WriteLine($"replay: {e.Message}");
                return ExitCodes.Failure;
            }
            catch (InvalidInputException e)
            {
                error.WriteLine($"replay: invalid input: {e.Message}");
                return ExitCodes.Failure;
            }
            if (input.Diagnostics.RowsSkipped > 0)
                error.Write($"replay: skipped malformed rows (use --strict to stop at the first):{Environment.NewLine}{input.Diagnostics}");

            // Every run is resumable: its id (and so its delivery producer id) and baseline are kept in the data directory.
            var fileSet = ReplayRunState.Describe(result.GetValue(files) ?? []);
            ReplayRunState run;
            try
            {
                var last = ReplayRunState.Read(settings.DataDirectory);
                if (result.GetValue(resume))
                {
                    if (last is null || last.Completed || last.Baseline is null)
                        throw new NodeConfigurationException("--resume", last is null
                            ? $"no replay run to resume in {settings.DataDirectory}"
                            : last.Completed ? "the last replay run on this data directory completed: nothing to resume"
                            : "the interrupted run stopped before it had recorded its baseline: replay without --resume");
                    if (!last.Files.SequenceEqual(fileSet))
                        throw new NodeConfigurationException("--resume",
                            $"the interrupted run replayed {string.Join(", ", last.Files.Select(f => f.Path))}; give the same files (same sizes)");
                    run = last;
                }
                else
                {
                    run = new ReplayRunState(Guid.NewGuid(), fileSet, null, false);
                }
                run.Write(settings.DataDirectory);
            }
            catch (NodeConfigurationException e)
            {
                error.WriteLine($"Configuration error: {e.Message}");
                return ExitCodes.ConfigurationError;
            }

            var interactive = ReferenceEquals(output, Console.Out) && ReplayProgress.IsEnabled();
            var runOptions = new ReplayRunOptions
            {
                Driver = new ReplayDriverOptions
                {
                    Speed = speedFactor,
                    LivePeerActors = LivePeerActors,
                    Memory = () => ReplayMemorySample.Current(LivePeerActors),
                },
                TopCount = topCount,
                DataDirectory = settings.DataDirectory,
                ResumeFrom = result.GetValue(resume) ? run.Baseline : null,
                BaselineTaken = b => (run = run with { Baseline = b }).Write(settings.DataDirectory),
            };

            // SIGINT and SIGTERM stop the replay alike, as does a journal failure; the node is still stopped gracefully
            // (finally below), so what was sent is flushed, and a partial report says how far it got.
            using var signals = StopSignals.Register(ct);
            ct = signals.Token;

            output.WriteLine($"Starting an embedded node (data directory {settings.DataDirectory})...");
            IHost host;
            try
            {
                // Warnings and errors (Akka's included) go to stderr and <data-dir>/peeractors.log.
                host = NodeComposition.BuildHost(settings, logging => NodeLogging.Configure(logging, settings, LogLevel.Warning), batch: true);
            }
            catch (NodeConfigurationException e)
            {
                error.WriteLine($"Configuration error: {e.Message}");
                return ExitCodes.ConfigurationError;
            }
            using var hostScope = host;
            ReplayReport report;
            ReplayProgressState? sent = null;
            JournalFailureMonitor? journal = null;
            CancellationTokenRegistration hostStopping = default;
            try
            {
                try
                {
                    await host.StartAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // e.g. the database cannot be opened or its tables created: a startup failure (one line, exit 2).
                    error.WriteLine($"Startup error: the node could not start: {e.GetType().Name}: {NodeCli.OneLine(e.Message)}");
                    if (result.GetValue(NodeCli.Verbose)) error.WriteLine(e);
                    return ExitCodes.ConfigurationError;
                }
                var system = host.Services.GetRequiredService<ActorSystem>();
                journal = JournalFailureMonitor.Start(system, failure => signals.Stop($"journal failure: {failure}", ExitCodes.JournalFailure));
                // Should anything stop the application while replaying, stop the replay with it rather than let its asks
                // time out against a stopping node.
                hostStopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping
                    .Register(() => signals.Stop("the node is stopping", ExitCodes.Failure));
                await MemberUpAsync(system, ct);
                var targets = ReplayTargetResolver.Resolve(host.Services, system, run.ProducerId);
                if (targets.Missing is { } missing)
                {
                    error.WriteLine($"replay: this node cannot replay: {missing}");
                    return ExitCodes.Failure;
                }
                var runner = new ReplayRunner(targets.Peers!, targets.Limits, targets.Selector, runOptions);
                var lastLength = 0;
                var rates = new ReplayRateWindow();
                try
                {
                    report = await runner.RunAsync(
                        input,
                        progress: p =>
                        {
                            sent = p;
                            if (!interactive) return;
                            rates.Add(p.Elapsed, p.SessionsDone, p.Events);
                            var line = ReplayProgress.Format(p.SessionsDone, p.SessionsTotal, p.Events, rates);
                            output.Write("\r" + line.PadRight(lastLength));
                            lastLength = line.Length;
                        },
                        status: s =>
                        {
                            if (lastLength > 0)
                            {
                                output.WriteLine();
                                lastLength = 0;
                            }
                            output.WriteLine(s);
                        },
                        ct: ct);
                    report = report with { PeakWorkingSetBytes = ReplayMemorySample.PeakWorkingSetBytes() };
                }
                catch (Exception e) when (e is not InvalidInputException)
                {
                    if (lastLength > 0) output.WriteLine();
                    // Give a journal failure a moment to be reported: it is the cause of whatever failed here.
                    if (!signals.IsStopped) await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                    var reason = signals.Reason ?? $"{e.GetType().Name}: {NodeCli.OneLine(e.Message)}";
                    error.WriteLine($"replay: stopped: {reason}");
                    if (result.GetValue(NodeCli.Verbose)) error.WriteLine(e);
                    var persisted = await ReplayInterruption.PeersInJournalAsync(targets.Peers!, TimeSpan.FromSeconds(5));
                    output.WriteLine();
                    output.Write(ReplayInterruption.Format(reason, input.Summary, sent, persisted));
                    var exitCode = signals.IsStopped ? signals.ExitCode : ExitCodes.Failure;
                    if (result.GetValue(reportJson) is { } partialPath)
                    {
                        await File.WriteAllTextAsync(partialPath,
                            ReplayInterruption.ToJson(reason, exitCode, input.Summary, sent, persisted, settings.DataDirectory), CancellationToken.None);
                        output.WriteLine($"Partial report written to {partialPath}");
                    }
                    return exitCode;
                }
                if (lastLength > 0) output.WriteLine();
            }
            catch (InvalidInputException e)
            {
                error.WriteLine($"replay: invalid input: {e.Message}");
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (signals.IsStopped)
            {
                // Stopped before the replay began (while starting the node).
                error.WriteLine($"replay: stopped: {signals.Reason}; stopping the node gracefully");
                return signals.ExitCode;
            }
            finally
            {
                hostStopping.Dispose();
                journal?.Dispose();
                output.WriteLine("Stopping the node (CoordinatedShutdown: flushing pending events)...");
                await host.StopAsync(CancellationToken.None);
            }

            if (deleteCoveredAtEnd)
            {
                output.WriteLine("Deleting the events the peers' snapshots cover (peeractors.persistence.delete-events-on-snapshot)...");
                var covered = SqliteCompaction.DeleteCoveredEvents(settings.ConnectionString);
                if (covered.Error is { } deleteError)
                    error.WriteLine($"replay: warning: the covered events were not deleted (peeractors.persistence.delete-events-on-snapshot): {deleteError}");
                else
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{covered.EventsDeleted:N0} covered events deleted in {covered.Elapsed.TotalSeconds:F1} s"));
            }
            if (settings.ReplayCompactJournal && settings.PersistenceProvider == PersistenceProvider.Sqlite)
            {
                output.WriteLine("Compacting the journal (SQLite VACUUM)...");
                var compaction = SqliteCompaction.Vacuum(settings.ConnectionString);
                if (compaction.Error is { } vacuumError)
                    error.WriteLine($"replay: warning: the journal was not compacted (peeractors.replay.compact-journal): {vacuumError}");
                else
                    output.WriteLine($"journal {compaction.BytesBefore:N0} -> {compaction.BytesAfter:N0} bytes in {compaction.Elapsed.TotalSeconds:F1} s");
            }

            output.WriteLine();
            output.Write(report.ToText());
            if (result.GetValue(reportJson) is { } jsonPath) await ReportFile.WriteAsync(jsonPath, report.ToJson(), output);
            (run with { Completed = true }).Write(settings.DataDirectory);
            if (report.Problems.Count > 0)
            {
                error.WriteLine($"replay: {report.Problems.Count} consistency check(s) failed:");
                foreach (var p in report.Problems) error.WriteLine("  " + p);
                return ExitCodes.Failure;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Parses <c>max</c> (null) or a finite number &gt; 0.</summary>
    internal static bool TryParseSpeed(string? text, out double? speed)
    {
        speed = null;
        if (text is null || text.Equals("max", StringComparison.OrdinalIgnoreCase)) return true;
        if (double.TryParse(text.TrimEnd('x', 'X'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0)
        {
            speed = v;
            return true;
        }
        return false;
    }

    private static long LivePeerActors() => PeerActors.Diagnostics.PeerActorsMetrics.LivePeerActors;

    private static async Task MemberUpAsync(ActorSystem system, CancellationToken ct)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
    }
}
