namespace PeerActors.Node.Commands;

/// <summary>
/// The <c>peeractors</c> command line: subcommands <c>run</c> and <c>replay</c>, the global <c>--verbose</c> flag, and
/// the process-level error policy: a flag error (unknown flag, <c>--port abc</c>, missing argument) or a configuration
/// error exits with <see cref="ExitCodes.ConfigurationError"/> (2) and one line naming the flag or key; any other
/// failure exits 1 with one line naming the exception — the stack trace only with <c>--verbose</c>.
/// </summary>
internal static class NodeCli
{
    /// <summary><c>--verbose</c>: print stack traces of failures (all subcommands).</summary>
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "Print stack traces of failures.", Recursive = true };

    /// <summary>The root command with every subcommand.</summary>
    /// <param name="loadSettings">Settings loader for the subcommands (tests pass one with a fixed environment).</param>
    /// <returns>The root command.</returns>
    public static RootCommand Create(Func<NodeOverrides, NodeSettings>? loadSettings = null)
    {
        var root = new RootCommand("peeractors: the PeerActors node (peer reputation and resource limits on Akka.NET).");
        root.Add(Verbose);
        root.Add(RunCommand.Create(loadSettings));
        root.Add(ReplayCommand.Create(loadSettings));
        root.Add(EvaluateCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Standard output; null = the console.</param>
    /// <param name="error">Standard error; null = the console.</param>
    /// <param name="loadSettings">Settings loader (tests).</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        Func<NodeOverrides, NodeSettings>? loadSettings = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        error ??= Console.Error;
        var parsed = Create(loadSettings).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line naming the flag (System.CommandLine's message does: "Unrecognized command or argument '--bogus'.",
            // "Cannot parse argument 'abc' for option '--port' ..."); the rest of the errors add nothing for the operator.
            error.WriteLine($"peeractors: {parsed.Errors[0].Message} (see 'peeractors {string.Join(' ', parsed.CommandResult.Command.Name)} --help')");
            return ExitCodes.ConfigurationError;
        }
        try
        {
            // The commands handle Ctrl+C / SIGTERM themselves (graceful CoordinatedShutdown); System.CommandLine must not.
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
            }).ConfigureAwait(false);
        }
        catch (NodeConfigurationException e)
        {
            error.WriteLine($"Configuration error: {e.Message}");
            if (parsed.GetValue(Verbose)) error.WriteLine(e);
            return ExitCodes.ConfigurationError;
        }
        catch (Exception e)
        {
            error.WriteLine($"peeractors: {e.GetType().Name}: {OneLine(e.Message)}{(parsed.GetValue(Verbose) ? "" : " (--verbose for details)")}");
            if (parsed.GetValue(Verbose)) error.WriteLine(e);
            return ExitCodes.Failure;
        }
    }

    /// <summary>The first line of a message.</summary>
    public static string OneLine(string message)
    {
        var nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }
}
