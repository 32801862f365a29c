namespace PeerActors.Core.ResourceManager;

/// <summary>
/// A configured 32-bit limit value (rcmgr <c>LimitVal</c>): a positive number, or one of the special values
/// <see cref="Default"/> (0, take the value from the defaults), <see cref="Unlimited"/> (−1) and
/// <see cref="BlockAll"/> (−2). An explicit <c>0</c> in JSON means block-all, as in rcmgr.
/// </summary>
/// <param name="Value">The raw value: &gt; 0 a limit, 0 default, −1 unlimited, −2 block all.</param>
public readonly record struct LimitVal(int Value)
{
    /// <summary>Use the default (scaled) value.</summary>
    public static readonly LimitVal Default = new(0);

    /// <summary>No limit (builds to <see cref="int.MaxValue"/>).</summary>
    public static readonly LimitVal Unlimited = new(-1);

    /// <summary>Allow nothing (builds to 0).</summary>
    public static readonly LimitVal BlockAll = new(-2);

    /// <summary>True for <see cref="Default"/>.</summary>
    public bool IsDefault => Value == 0;

    /// <summary>Resolves to a concrete limit (rcmgr <c>LimitVal.Build</c>).</summary>
    /// <param name="defaultValue">Value used when this is <see cref="Default"/>.</param>
    public int Build(int defaultValue) => Value switch
    {
        0 => defaultValue,
        -1 => int.MaxValue,
        -2 => 0,
        _ => Value,
    };

    /// <summary>Converts a concrete limit back (rcmgr <c>valueOrBlockAll</c>): 0 → block all, <see cref="int.MaxValue"/> → unlimited.</summary>
    public static LimitVal FromConcrete(int n) => n switch
    {
        0 => BlockAll,
        int.MaxValue => Unlimited,
        _ => new LimitVal(n),
    };

    /// <summary>A positive limit.</summary>
    public static implicit operator LimitVal(int value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        0 => "default",
        -1 => "unlimited",
        -2 => "blockAll",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// A configured 64-bit limit value for memory (rcmgr <c>LimitVal64</c>); same special values as
/// <see cref="LimitVal"/>. Serialised in JSON as a string.
/// </summary>
/// <param name="Value">The raw value: &gt; 0 bytes, 0 default, −1 unlimited, −2 block all.</param>
public readonly record struct LimitVal64(long Value)
{
    /// <summary>Use the default (scaled) value.</summary>
    public static readonly LimitVal64 Default = new(0);

    /// <summary>No limit (builds to <see cref="long.MaxValue"/>).</summary>
    public static readonly LimitVal64 Unlimited = new(-1);

    /// <summary>Allow nothing (builds to 0).</summary>
    public static readonly LimitVal64 BlockAll = new(-2);

    /// <summary>True for <see cref="Default"/>.</summary>
    public bool IsDefault => Value == 0;

    /// <summary>Resolves to a concrete limit (rcmgr <c>LimitVal64.Build</c>).</summary>
    /// <param name="defaultValue">Value used when this is <see cref="Default"/>.</param>
    public long Build(long defaultValue) => Value switch
    {
        0 => defaultValue,
        -1 => long.MaxValue,
        -2 => 0,
        _ => Value,
    };

    /// <summary>Converts a concrete limit back: 0 → block all, <see cref="long.MaxValue"/> → unlimited.</summary>
    public static LimitVal64 FromConcrete(long n) => n switch
    {
        0 => BlockAll,
        long.MaxValue => Unlimited,
        _ => new LimitVal64(n),
    };

    /// <summary>A positive limit in bytes.</summary>
    public static implicit operator LimitVal64(long value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        0 => "default",
        -1 => "unlimited",
        -2 => "blockAll",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}
