namespace PeerActors.Core.Identity;

/// <summary>
/// Opaque, case-sensitive identifier of a remote peer (libp2p peer id, node public key, npub, UUID…),
/// SPEC §1. Valid ids have 1–256 visible characters: no control characters and no white space.
/// Compared ordinally, which is also the tie-break order of every ranking.
/// </summary>
public readonly record struct PeerId : IComparable<PeerId>
{
    /// <summary>Maximum length of an id, in UTF-16 characters.</summary>
    public const int MaxLength = 256;

    private readonly string? _value;

    private PeerId(string value) => _value = value;

    /// <summary>The id text.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>True for <c>default(PeerId)</c>, which is never a valid id.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(_value);

    /// <summary>Validates and wraps <paramref name="value"/>.</summary>
    /// <param name="value">The id text.</param>
    /// <param name="field">Field name used in the error message.</param>
    /// <exception cref="InvalidInputException">When the text is null, empty, longer than 256 characters, or has a control or white-space character.</exception>
    public static PeerId Parse(string? value, string field = "peerId") => new(IdText.Require(value, MaxLength, field));

    /// <summary>Non-throwing variant of <see cref="Parse"/>.</summary>
    public static bool TryParse(string? value, out PeerId id)
    {
        if (Validate(value) is null) { id = new PeerId(value!); return true; }
        id = default;
        return false;
    }

    /// <summary>Returns null when <paramref name="value"/> is a valid id, else the reason it is not.</summary>
    public static string? Validate(string? value) => IdText.Validate(value, MaxLength);

    /// <summary>
    /// Lantern's backward-compatible attribution rule (SPEC §1, §5): the peer id when present,
    /// else the session id.
    /// </summary>
    /// <exception cref="InvalidInputException">When both are missing, or the chosen one is invalid.</exception>
    public static PeerId FromPeerOrSession(string? peerId, string? sessionId)
    {
        if (!string.IsNullOrEmpty(peerId)) return Parse(peerId, "peerId");
        if (!string.IsNullOrEmpty(sessionId)) return Parse(sessionId, "sessionId");
        throw new InvalidInputException("peerId", "neither a peer id nor a session id was given");
    }

    /// <inheritdoc />
    public int CompareTo(PeerId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public bool Equals(PeerId other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Optional consumer-session identifier (SPEC §1); same character rules as <see cref="PeerId"/>.</summary>
/// <param name="Value">The session id text.</param>
public readonly record struct SessionId(string Value)
{
    /// <summary>Validates and wraps <paramref name="value"/>.</summary>
    /// <exception cref="InvalidInputException">When the text is not a valid id.</exception>
    public static SessionId Parse(string? value, string field = "sessionId") => new(IdText.Require(value, PeerId.MaxLength, field));

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Opaque channel identifier, e.g. <c>txid:index</c>, unique per peer (SPEC §1, lnd chanfitness).</summary>
/// <param name="Value">The channel id text.</param>
public readonly record struct ChannelId(string Value)
{
    /// <summary>Validates and wraps <paramref name="value"/>.</summary>
    /// <exception cref="InvalidInputException">When the text is not a valid id.</exception>
    public static ChannelId Parse(string? value, string field = "channelId") => new(IdText.Require(value, PeerId.MaxLength, field));

    /// <inheritdoc />
    public override string ToString() => Value;
}

internal static class IdText
{
    public static string? Validate(string? value, int maxLength)
    {
        if (value is null) return "is required";
        if (value.Length == 0) return "must not be empty";
        if (value.Length > maxLength) return $"must be at most {maxLength} characters, got {value.Length}";
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
                return $"must contain only visible characters (found U+{(int)c:X4})";
        }
        return null;
    }

    /// <summary>Returns <paramref name="value"/> when it is a valid id text (see <see cref="Validate"/>).</summary>
    /// <exception cref="InvalidInputException">Naming <paramref name="field"/>, when it is not.</exception>
    public static string Require(string? value, int maxLength, string field)
    {
        var error = Validate(value, maxLength);
        if (error is not null) throw new InvalidInputException(field, error);
        return value!;
    }
}
