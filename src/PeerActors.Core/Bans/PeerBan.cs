namespace PeerActors.Core.Bans;

/// <summary>
/// An explicit ban of one peer (an operator's or a policy's decision; none of the seeds has one: rcmgr "has no notion
/// of honest vs bad peers", hashtree only backs off). A ban is active while the observation clock is strictly before
/// <see cref="Until"/>; expiry needs no event (an expired ban is inert). While active the peer is refused at its
/// <c>peer:ID</c> scope (connections and streams) and never selected, whatever the strategy.
/// </summary>
/// <param name="Until">End of the ban (UTC, observation clock): active for <c>now &lt; Until</c>.</param>
/// <param name="Reason">Why (1–256 printable characters), shown in refusals and <c>peeractl peer bans</c>.</param>
/// <param name="BannedAt">The observation instant of the ban (UTC).</param>
public sealed record PeerBan(DateTimeOffset Until, string Reason, DateTimeOffset BannedAt)
{
    /// <summary>Maximum length of <see cref="Reason"/>, in UTF-16 characters.</summary>
    public const int MaxReasonLength = 256;

    /// <summary>Whether the ban is in force at <paramref name="now"/> (observation clock): <c>now &lt; Until</c>.</summary>
    public bool IsActive(DateTimeOffset now) => now < Until;

    /// <summary>Time left at <paramref name="now"/> (zero once expired).</summary>
    public TimeSpan Remaining(DateTimeOffset now) => now < Until ? Until - now : TimeSpan.Zero;

    /// <summary>
    /// Builds a ban from a command: exactly one of <paramref name="until"/> and <paramref name="duration"/>;
    /// <c>Until = until</c> or <c>observedAt + duration</c>, which must be after <paramref name="observedAt"/>.
    /// </summary>
    /// <param name="observedAt">When the ban was decided (observation clock).</param>
    /// <param name="until">Absolute end, or null.</param>
    /// <param name="duration">Length (&gt; 0), or null.</param>
    /// <param name="reason">Why (required).</param>
    /// <returns>The ban.</returns>
    /// <exception cref="InvalidInputException">Field <c>until</c>/<c>duration</c> (none or both given, not after
    /// <c>observedAt</c>, not positive, overflowing) or <c>reason</c> (empty, too long, control characters).</exception>
    public static PeerBan Create(DateTimeOffset observedAt, DateTimeOffset? until, TimeSpan? duration, string? reason)
    {
        observedAt = Guard.Instant(observedAt, "observedAt");
        if (until is null == duration is null)
            throw new InvalidInputException("until", "give exactly one of until (an instant) and duration");
        DateTimeOffset end;
        if (duration is { } d)
        {
            if (d <= TimeSpan.Zero)
                throw new InvalidInputException("duration", $"must be positive, got {d}");
            if (DateTimeOffset.MaxValue - observedAt < d)
                throw new InvalidInputException("duration", $"{d} after {observedAt:O} overflows");
            end = observedAt + d;
        }
        else
        {
            end = Guard.Instant(until!.Value, "until");
            if (end <= observedAt)
                throw new InvalidInputException("until", $"must be after the ban's observedAt {observedAt:O}, got {end:O}");
        }

        return new PeerBan(end, ValidateReason(reason), observedAt);
    }

    /// <summary>Checks a ban reason: 1–256 characters, no control characters.</summary>
    /// <exception cref="InvalidInputException">Field <c>reason</c>.</exception>
    public static string ValidateReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new InvalidInputException("reason", "a ban needs a reason");
        if (reason.Length > MaxReasonLength)
            throw new InvalidInputException("reason", $"must be at most {MaxReasonLength} characters, got {reason.Length}");
        foreach (var ch in reason)
            if (char.IsControl(ch))
                throw new InvalidInputException("reason", "must not contain control characters");
        return reason;
    }

    /// <summary>Text used in refusals: <c>peer banned until 2025-03-01T13:00:00Z (spam)</c>.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"peer banned until {Until.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'} ({Reason})");
}
