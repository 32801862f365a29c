namespace PeerActors.Node.Management;

/// <summary>Kind of value an argument takes (used for help and validation).</summary>
public enum ManagementArgumentKind
{
    /// <summary>Free text.</summary>
    String,
    /// <summary>A 32-bit integer.</summary>
    Int,
    /// <summary>A flag: true/false.</summary>
    Bool,
    /// <summary>A floating point number.</summary>
    Number,
}

/// <summary>
/// Specification of one argument of a management command: a key of the JSON body object.
/// </summary>
/// <param name="Name">JSON key (camelCase), e.g. "address", "typeName", "maxChildren".</param>
/// <param name="Description">One-line help text.</param>
/// <param name="Kind">Kind of value.</param>
/// <param name="Required">True when the command fails without it.</param>
public sealed record ManagementArgument(string Name, string Description, ManagementArgumentKind Kind = ManagementArgumentKind.String, bool Required = false);
