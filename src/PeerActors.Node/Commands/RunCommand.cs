using PeerActors.Node.Hosting;

namespace PeerActors.Node.Commands;

/// <summary><c>peeractors run</c>: starts a node and runs until Ctrl+C / SIGTERM (graceful CoordinatedShutdown).</summary>
internal static class RunCommand
{
    /// <summary>Creates the subcommand.</summary>
    /// <param name="loadSettings">Settings loader (tests pass one with a fixed environment); default
    /// <see cref="NodeSettingsLoader.LoadForProcess"/>.</param>
    public static Command Create(Func<NodeOverrides, NodeSettings>? loadSettings = null)
    {
        var options = new NodeOptions();
        var command = options.AddTo(new Command("run", "Start a PeerActors node and run until Ctrl+C / SIGTERM."));
        command.SetAction(async (result, _) =>
        {
            if (options.LoadSettings(result, loadSettings) is not { } settings)
                return ExitCodes.ConfigurationError;
            IHost host;
            try
            {
                host = NodeComposition.BuildHost(settings);
            }
            catch (NodeConfigurationException e)
            {
                // e.g. a bad limits.json: refuse to start, naming the key.
                result.InvocationConfiguration.Error.WriteLine($"Configuration error: {e.Message}");
                return ExitCodes.ConfigurationError;
            }
            using var ownedHost = host;
            try
            {
                await host.StartAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // e.g. the database cannot be opened, an endpoint cannot be bound: a startup failure, one line (stack with --verbose).
                var error = result.InvocationConfiguration.Error;
                error.WriteLine($"Startup error: the node could not start: {e.GetType().Name}: {NodeCli.OneLine(e.Message)}");
                if (result.GetValue(NodeCli.Verbose)) error.WriteLine(e);
                return ExitCodes.ConfigurationError;
            }
            // A journal failure (disk full, database locked) is summed up in one line naming the cause, next to Akka's own
            // (long) error entries; the node keeps serving: acknowledged observations are persisted, failing writes are
            // answered "persistence-failure".
            var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PeerActors.Journal");
            using var journal = JournalFailureMonitor.Start(host.Services.GetRequiredService<ActorSystem>(),
                failure => log.LogError("Journal failure: {Failure} (critical observations are answered persistence-failure until it is fixed)", failure));
            // The host's console lifetime handles Ctrl+C / SIGTERM: StopAsync runs CoordinatedShutdown.
            await host.WaitForShutdownAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }
}
