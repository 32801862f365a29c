namespace PeerActors.Core.Fitness;

/// <summary>
/// The pure flap-count rules of lnd <c>chanfitness</c>: the event rate limit by flap count
/// (lnd <c>getRateLimit</c>, <c>rateLimits</c>, <c>rateLimitScale</c>) and the flap-count cooldown
/// (lnd <c>cooldownFlapCount</c>, <c>flapCountCooldownFactor</c>, <c>flapCountCooldownPeriod</c>).
/// </summary>
public static class FlapPolicy
{
    /// <summary>Number of flaps per rate-limit tier (lnd <c>rateLimitScale</c> = 200).</summary>
    public const long RateLimitScale = 200;

    /// <summary>Factor applied per elapsed cooldown period (lnd <c>flapCountCooldownFactor</c> = 0.95).</summary>
    public const double CooldownFactor = 0.95;

    /// <summary>Cooldown period (lnd <c>flapCountCooldownPeriod</c> = 8 h).</summary>
    public static readonly TimeSpan CooldownPeriod = TimeSpan.FromHours(8);

    /// <summary>
    /// Minimum spacing between committed events by tier (lnd <c>rateLimits</c>):
    /// 1 s, 5 s, 30 s, 1 min, 30 min, 1 h.
    /// </summary>
    public static IReadOnlyList<TimeSpan> RateLimitTiers { get; } =
    [
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1),
    ];

    /// <summary>
    /// The minimum time a staged event must age before the next event commits it (lnd <c>getRateLimit</c>):
    /// tier = <paramref name="flapCount"/> / 200 (integer division), clamped to the last tier.
    /// A negative count is treated as 0.
    /// </summary>
    /// <param name="flapCount">The peer's current (cooled-down) flap count.</param>
    /// <returns>The aggregation period for the tier.</returns>
    public static TimeSpan RateLimit(long flapCount)
    {
        if (flapCount < 0) flapCount = 0;
        var index = flapCount / RateLimitScale;
        var last = RateLimitTiers.Count - 1;
        return RateLimitTiers[index > last ? last : (int)index];
    }

    /// <summary>
    /// lnd <c>cooldownFlapCount</c>: if less than 8 h have passed since <paramref name="lastFlap"/> the count is
    /// returned unchanged; otherwise ⌊count · 0.95^((now − lastFlap) / 8 h)⌋ with fractional periods
    /// (e.g. 12 h is 1.5 periods). A <paramref name="now"/> before <paramref name="lastFlap"/> counts as
    /// "less than 8 h" (unchanged). Negative counts are treated as 0.
    /// </summary>
    /// <param name="now">The instant of the new flap.</param>
    /// <param name="flapCount">The stored flap count.</param>
    /// <param name="lastFlap">The instant of the previous flap.</param>
    /// <returns>The cooled-down flap count (never negative, never above <paramref name="flapCount"/>).</returns>
    public static long Cooldown(DateTimeOffset now, long flapCount, DateTimeOffset lastFlap)
    {
        if (flapCount <= 0) return 0;
        var sinceTicks = now.UtcTicks - lastFlap.UtcTicks;
        if (sinceTicks < CooldownPeriod.Ticks) return flapCount;
        var periods = (double)sinceTicks / CooldownPeriod.Ticks;
        var factor = Math.Pow(CooldownFactor, periods);
        var cooled = Math.Floor(flapCount * factor);
        return cooled >= flapCount ? flapCount : (long)cooled;
    }
}
