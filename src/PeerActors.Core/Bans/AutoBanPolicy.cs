namespace PeerActors.Core.Bans;

/// <summary>
/// Optional automatic bans (off unless configured): a peer whose <c>payment_defaults</c> reach
/// <see cref="PaymentDefaultThreshold"/> (hashtree's <c>exceeds_payment_default_threshold</c>: <c>t &gt; 0 and
/// defaults ≥ t</c>) is banned for <see cref="Duration"/> from the default's observation instant, unless a ban is
/// already in force then.
/// </summary>
/// <param name="PaymentDefaultThreshold">Threshold t ≥ 1.</param>
/// <param name="Duration">Ban length (&gt; 0).</param>
public sealed record AutoBanPolicy(ulong PaymentDefaultThreshold, TimeSpan Duration)
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="InvalidInputException">A zero threshold or a non-positive duration.</exception>
    public AutoBanPolicy Validate()
    {
        if (PaymentDefaultThreshold == 0) throw new InvalidInputException("paymentDefaultThreshold", "must be at least 1");
        if (Duration <= TimeSpan.Zero) throw new InvalidInputException("duration", $"must be positive, got {Duration}");
        return this;
    }

    /// <summary>The ban to impose at <paramref name="now"/>, or null.</summary>
    public PeerBan? Decide(PeerStatsState stats, PeerBan? current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (stats.PaymentDefaults < PaymentDefaultThreshold || current?.IsActive(now) == true) return null;
        return PeerBan.Create(now, null, Duration, string.Create(CultureInfo.InvariantCulture,
            $"auto: payment_defaults {stats.PaymentDefaults} ≥ {PaymentDefaultThreshold}"));
    }
}
