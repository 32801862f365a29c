namespace PeerActors.Node.Commands;

/// <summary>
/// The configuration flags shared by every node subcommand (<c>run</c>, <c>replay</c>, …); each maps
/// to a key of hocon.conf (see <see cref="NodeSettingsLoader.FlagKeys"/>).
/// </summary>
internal sealed class NodeOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "Overlay: embedded (default), cluster, or a path to a .conf file. Env: PEERACTORS_CONFIG." };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Data directory (peeractors.data-dir)." };
    public Option<string?> Hostname { get; } = new("--hostname") { Description = "Akka.Remote hostname (peeractors.node.hostname)." };
    public Option<int?> Port { get; } = new("--port")
    {
        Description = "Akka.Remote port, 0 = any free port (peeractors.node.port).",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            // The range is checked by NodeSettingsLoader (naming the key and the source); here only "is it a number".
            if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var port))
                return port;
            r.AddError($"--port (peeractors.node.port): expected a port number 0-65535 (0 = any free port), got '{text}'.");
            return null;
        },
    };
    public Option<string[]> Seed { get; } = new("--seed") { Description = "Seed node address, repeatable, e.g. akka.tcp://peeractors@10.0.0.1:4053 (peeractors.node.seed-nodes).", AllowMultipleArgumentsPerToken = false };
    public Option<string?> Role { get; } = new("--role") { Description = "Cluster role (peeractors.node.role)." };
    public Option<string?> ConnectionString { get; } = new("--connection-string") { Description = "Database connection string (peeractors.persistence.connection-string)." };
    public Option<string?> Endpoint { get; } = new("--endpoint") { Description = "Management endpoint bind address ip:port (peeractors.management.endpoint)." };
    public Option<string?> Token { get; } = new("--token") { Description = "Management endpoint token (peeractors.management.token)." };
    public Option<string[]> Set { get; } = new("--set") { Description = "Any hocon.conf key: --set peeractors.persistence.flush-interval=2s (repeatable)." };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, DataDir, Hostname, Port, Seed, Role, ConnectionString, Endpoint, Token, Set })
            command.Add(option);
        return command;
    }

    /// <summary>The values given on the command line.</summary>
    public NodeOverrides ToOverrides(ParseResult result) => new()
    {
        Config = result.GetValue(Config),
        DataDir = result.GetValue(DataDir),
        Hostname = result.GetValue(Hostname),
        Port = result.GetValue(Port),
        Seeds = result.GetValue(Seed) is { Length: > 0 } seeds ? seeds : null,
        Role = result.GetValue(Role),
        ConnectionString = result.GetValue(ConnectionString),
        Endpoint = result.GetValue(Endpoint),
        Token = result.GetValue(Token),
        Set = result.GetValue(Set) is { Length: > 0 } set ? set : null,
    };

    /// <summary>
    /// Loads the settings for <paramref name="result"/>; on a configuration error prints it to stderr
    /// and returns <c>null</c> (the caller exits with <see cref="ExitCodes.ConfigurationError"/>).
    /// </summary>
    /// <param name="result">The parse result.</param>
    /// <param name="load">The loader; null = <see cref="NodeSettingsLoader.LoadForProcess"/>.</param>
    public NodeSettings? LoadSettings(ParseResult result, Func<NodeOverrides, NodeSettings>? load = null)
    {
        try
        {
            return (load ?? NodeSettingsLoader.LoadForProcess)(ToOverrides(result));
        }
        catch (NodeConfigurationException e)
        {
            result.InvocationConfiguration.Error.WriteLine($"Configuration error: {e.Message}");
            return null;
        }
    }
}

/// <summary>Process exit codes of <c>peeractors</c>.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int ConfigurationError = 2;
    /// <summary>The journal (database) failed during a batch command, e.g. disk full or database locked.</summary>
    public const int JournalFailure = 3;
    /// <summary>Stopped by SIGINT (Ctrl+C): 128 + 2.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;
}
