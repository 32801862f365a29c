namespace PeerActors.Node.Management.Commands;

/// <summary>Convenience base for management commands: fixed palette/name/description/arguments.</summary>
public abstract class ManagementCommandBase : IManagementCommand
{
    /// <summary>Sets the command's identity.</summary>
    protected ManagementCommandBase(string palette, string name, string description, params ManagementArgument[] arguments)
    {
        Palette = palette;
        Name = name;
        Description = description;
        Arguments = arguments;
    }

    /// <inheritdoc />
    public string Palette { get; }
    /// <inheritdoc />
    public string Name { get; }
    /// <inheritdoc />
    public string Description { get; }
    /// <inheritdoc />
    public IReadOnlyList<ManagementArgument> Arguments { get; }

    /// <inheritdoc />
    public abstract Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken);

    /// <summary>Parses an Akka address ("akka.tcp://system@host:port").</summary>
    /// <exception cref="InvalidInputException">Not an address with protocol, system, host and port.</exception>
    protected static Address ParseAddress(string field, string text)
    {
        try
        {
            var address = Address.Parse(text.Trim());
            if (address.Host is null || address.Port is null)
                throw new InvalidInputException(field, $"argument '{field}' must be a full remote address like akka.tcp://system@host:port, got '{text}'");
            return address;
        }
        catch (UriFormatException ex)
        {
            throw new InvalidInputException(field, $"argument '{field}' is not an Akka address ({ex.Message}): '{text}'");
        }
        catch (FormatException ex)
        {
            throw new InvalidInputException(field, $"argument '{field}' is not an Akka address ({ex.Message}): '{text}'");
        }
    }
}
