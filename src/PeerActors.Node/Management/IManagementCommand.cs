namespace PeerActors.Node.Management;

/// <summary>
/// One command of the management endpoint, e.g. palette "cluster", name "show".
/// Register implementations with <see cref="ManagementServiceCollectionExtensions.AddManagementCommand{TCommand}"/>;
/// they are reachable at <c>POST /v1/commands/{palette words...}/{name}</c> and listed by <c>GET /v1/commands</c>.
/// </summary>
public interface IManagementCommand
{
    /// <summary>Palette (lowercase; may have several words separated by one space, e.g. "cluster sharding").</summary>
    string Palette { get; }

    /// <summary>Command name within the palette (lowercase, e.g. "region-stats").</summary>
    string Name { get; }

    /// <summary>One-line description for help.</summary>
    string Description { get; }

    /// <summary>Accepted arguments (keys of the JSON body).</summary>
    IReadOnlyList<ManagementArgument> Arguments { get; }

    /// <summary>
    /// Runs the command. Throw <see cref="PeerActors.Core.Validation.InvalidInputException"/> (or any
    /// <see cref="ArgumentException"/>) for bad arguments: the endpoint answers 400 with the message.
    /// Other exceptions become 500 with the exception message. Return <see cref="CommandResult.Failure"/>
    /// for an expected failure (answered 200 with ok=false).
    /// </summary>
    Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken);
}
