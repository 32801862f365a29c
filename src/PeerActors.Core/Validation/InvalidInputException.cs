namespace PeerActors.Core.Validation;

/// <summary>
/// Thrown when an observation, command or configuration value is invalid. The message names the
/// offending field; the object the call was made on is left unchanged (validation happens before
/// any mutation).
/// </summary>
public class InvalidInputException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="field"/> with a human-readable reason.</summary>
    /// <param name="field">Name of the offending field or key, e.g. <c>rttMs</c> or <c>System.Conns</c>.</param>
    /// <param name="message">What was wrong with it.</param>
    public InvalidInputException(string field, string message)
        : base($"{field}: {message}", field)
    {
        Field = field;
    }

    /// <summary>Name of the offending field or configuration key.</summary>
    public string Field { get; }
}
