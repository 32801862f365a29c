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

    /// <summary>The latest instant an observation may carry: 9000-12-31T23:59:59.9999999Z. Later instants leave no room
    /// for the time arithmetic of the domain (windows, epochs, backoffs added to <c>observedAt</c>).</summary>
    public static readonly DateTimeOffset MaxObservationInstant = new DateTimeOffset(9001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1);

    /// <summary>
    /// The rule for an observation's <c>observedAt</c> (SPEC §1): set (not <see cref="DateTimeOffset.MinValue"/>) and not after
    /// <see cref="MaxObservationInstant"/>.
    /// </summary>
    /// <param name="value">The instant.</param>
    /// <param name="field">Field name used in the error message.</param>
    /// <returns>The instant in UTC.</returns>
    /// <exception cref="InvalidInputException">When the instant is unset or too far in the future.</exception>
    public static DateTimeOffset ObservationInstant(DateTimeOffset value, string field)
    {
        var utc = Instant(value, field);
        if (utc > MaxObservationInstant)
            throw new InvalidInputException(field, $"{utc:O} is too far in the future (after year 9000: time arithmetic would overflow)");
        return utc;
    }
}
