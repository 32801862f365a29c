namespace PeerActors.Node.Management;

/// <summary>
/// All registered <see cref="IManagementCommand"/>s, indexed by "palette name" (lowercase, single spaces).
/// </summary>
public sealed class ManagementCommandRegistry
{
    private readonly Dictionary<string, IManagementCommand> _byKey = new(StringComparer.Ordinal);

    /// <summary>Indexes the commands.</summary>
    /// <exception cref="InvalidOperationException">Two commands share a palette and name, or a name is empty.</exception>
    public ManagementCommandRegistry(IEnumerable<IManagementCommand> commands)
    {
        foreach (var command in commands)
        {
            var key = Key(command.Palette, command.Name);
            if (string.IsNullOrEmpty(command.Name) || string.IsNullOrEmpty(command.Palette))
                throw new InvalidOperationException($"management command {command.GetType().Name} has an empty palette or name");
            if (!_byKey.TryAdd(key, command))
                throw new InvalidOperationException($"management command '{key}' is registered twice ({command.GetType().Name}, {_byKey[key].GetType().Name})");
        }
    }

    /// <summary>Registered commands ordered by palette then name.</summary>
    public IReadOnlyList<IManagementCommand> Commands =>
        _byKey.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();

    /// <summary>Finds a command by palette words and name.</summary>
    public bool TryGet(string palette, string name, out IManagementCommand command) =>
        _byKey.TryGetValue(Key(palette, name), out command!);

    /// <summary>Normalized lookup key "palette words name".</summary>
    public static string Key(string palette, string name) =>
        string.Join(' ', (palette + " " + name).ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
