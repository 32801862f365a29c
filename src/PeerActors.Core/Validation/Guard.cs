namespace PeerActors.Core.Validation;

/// <summary>Argument checks shared by the domain types; each throws <see cref="InvalidInputException"/> naming the field.</summary>
public static class Guard
{
    /// <summary>Rejects NaN and ±∞.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="value"/> is not finite.</exception>
    public static double Finite(double value, string field)
    {
        if (!double.IsFinite(value))
            throw new InvalidInputException(field, $"must be a finite number, got {value}");
        return value;
    }

    /// <summary>Rejects NaN, ±∞ and negative values.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="value"/> is not finite or is negative.</exception>
    public static double FiniteNonNegative(double value, string field)
    {
        Finite(value, field);
        if (value < 0)
            throw new InvalidInputException(field, $"must not be negative, got {value}");
        return value;
    }

    /// <summary>Rejects negative values.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="value"/> is negative.</exception>
    public static long NonNegative(long value, string field)
    {
        if (value < 0)
            throw new InvalidInputException(field, $"must not be negative, got {value}");
        return value;
    }

    /// <summary>Rejects a timestamp that is not UTC-normalisable (DateTimeOffset.MinValue is treated as "unset").</summary>
    /// <exception cref="InvalidInputException">When <paramref name="value"/> is <see cref="DateTimeOffset.MinValue"/>.</exception>
    public static DateTimeOffset Instant(DateTimeOffset value, string field)
    {
        if (value == DateTimeOffset.MinValue)
            throw new InvalidInputException(field, "must be set (got DateTimeOffset.MinValue)");
        return value.ToUniversalTime();
    }
}
