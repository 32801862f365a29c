namespace PeerActors.Node.Configuration;

/// <summary>
/// A configuration value is missing or invalid. The node does not start; <c>peeractors</c> prints
/// <see cref="Exception.Message"/> (which starts with <see cref="Key"/>) and exits with code 2.
/// </summary>
public sealed class NodeConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The offending key, e.g. <c>peeractors.persistence.flush-interval</c> or <c>--config</c>.</param>
    /// <param name="message">What is wrong, including the value and where it came from.</param>
    public NodeConfigurationException(string key, string message)
        : base($"{key}: {message}")
    {
        Key = key;
    }

    /// <summary>The offending configuration key (HOCON path) or command-line flag.</summary>
    public string Key { get; }
}
