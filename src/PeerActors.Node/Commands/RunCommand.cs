using System.CommandLine;
using Microsoft.Extensions.Hosting;
using PeerActors.Node.Configuration;

namespace PeerActors.Node.Commands;

/// <summary><c>peeractors run</c>: starts a node and runs until Ctrl+C / SIGTERM (graceful CoordinatedShutdown).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var options = new NodeOptions();
        var command = options.AddTo(new Command("run", "Start a PeerActors node and run until Ctrl+C / SIGTERM."));
        command.SetAction(async (result, _) =>
        {
            if (options.LoadSettings(result) is not { } settings)
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
            // The host's console lifetime handles Ctrl+C / SIGTERM: StopAsync runs CoordinatedShutdown.
            await host.RunAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }
}
