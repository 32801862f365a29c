namespace PeerActors.Node.Management;

/// <summary>
/// The JSON object of arguments sent with a command. Values may arrive as JSON strings (from
/// <c>peeractl --arg key=value</c>) or typed JSON values; the getters accept both.
/// Getters throw <see cref="InvalidInputException"/> naming the key for missing or malformed values.
/// </summary>
public sealed class CommandArguments
{
    private readonly JsonObject _values;

    /// <summary>Wraps a JSON object (null = no arguments).</summary>
    public CommandArguments(JsonObject? values) => _values = values ?? new JsonObject();

    /// <summary>An empty argument set.</summary>
    public static CommandArguments Empty => new(null);

    /// <summary>The raw JSON object.</summary>
    public JsonObject Raw => _values;

    /// <summary>True when the key is present and not null.</summary>
    public bool Has(string name) => _values.TryGetPropertyValue(name, out var node) && node is not null;

    /// <summary>The value as text, or <paramref name="defaultValue"/> when absent.</summary>
    public string? GetString(string name, string? defaultValue = null)
    {
        if (!_values.TryGetPropertyValue(name, out var node) || node is null) return defaultValue;
        if (node is JsonValue v)
        {
            return v.GetValueKind() switch
            {
                JsonValueKind.String => v.GetValue<string>(),
                _ => v.ToJsonString(),
            };
        }
        return node.ToJsonString();
    }

    /// <summary>The value as non-empty text.</summary>
    /// <exception cref="InvalidInputException">Missing or empty.</exception>
    public string RequireString(string name)
    {
        var value = GetString(name);
        if (string.IsNullOrWhiteSpace(value)) throw new InvalidInputException(name, $"argument '{name}' is required");
        return value;
    }

    /// <summary>The value as an integer within [min, max], or <paramref name="defaultValue"/> when absent.</summary>
    /// <exception cref="InvalidInputException">Not an integer or out of range.</exception>
    public int GetInt(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = GetString(name);
        if (text is null) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException(name, $"argument '{name}' must be an integer, got '{text}'");
        if (value < min || value > max)
            throw new InvalidInputException(name, $"argument '{name}' must be in [{min}, {max}], got {value}");
        return value;
    }

    /// <summary>The value as a boolean (true/false/1/0/yes/no), or <paramref name="defaultValue"/> when absent.</summary>
    /// <exception cref="InvalidInputException">Not a boolean.</exception>
    public bool GetBool(string name, bool defaultValue = false)
    {
        var text = GetString(name);
        if (text is null) return defaultValue;
        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" or "" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new InvalidInputException(name, $"argument '{name}' must be true or false, got '{text}'"),
        };
    }
}
