using System.Text.Json;
using PeerActors.Core.Bans;

namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Opt-in reputation-aware peer limits (rcmgr "has no notion of honest vs bad peers"; this is what PeerActors adds).
/// A peer without an explicit <c>Peer[ID]</c> limit (file or <c>limits set</c>) gets <c>PeerDefault × factor</c>, the
/// factor chosen from its latest score inputs at the observation instant, first match wins:
/// <list type="number">
/// <item>banned (<see cref="PeerBan.IsActive"/>): 0, i.e. blockAll;</item>
/// <item><c>payment_defaults ≥ PaymentDefaultThreshold</c> (hashtree's exceeds_payment_default_threshold; 0 = off): 0;</item>
/// <item>backed off (<c>now &lt; backed_off_until</c>, SPEC §2): <see cref="BackoffFactor"/>;</item>
/// <item><c>score(now) &lt; ScoreFloor</c> (SPEC §2 score; null = off): <see cref="BelowFloorFactor"/>;</item>
/// <item>otherwise 1 (PeerDefault unchanged). A peer never seen has no inputs: factor 1.</item>
/// </list>
/// Scaling (<see cref="Scale"/>): each finite count and memory becomes <c>⌊value × factor⌋</c>, at least 1 when the factor is
/// positive (a reduced limit never turns into blockAll by rounding); unlimited stays unlimited; factor 0 is blockAll.
/// JSON (beside the limits file, <c>reputation-policy.json</c>):
/// <c>{"BackoffFactor": 0.25, "ScoreFloor": 0.4, "BelowFloorFactor": 0.5, "PaymentDefaultThreshold": 3}</c>.
/// </summary>
public sealed record ReputationLimitPolicy
{
    /// <summary>Factor (0–1) for peers in backoff. Default 1 (off).</summary>
    public double BackoffFactor { get; init; } = 1;

    /// <summary>Score floor (SPEC §2 <c>score(now)</c>, 0–1.1); null = off.</summary>
    public double? ScoreFloor { get; init; }

    /// <summary>Factor (0–1) for peers below <see cref="ScoreFloor"/>. Default 1.</summary>
    public double BelowFloorFactor { get; init; } = 1;

    /// <summary>Peers with at least this many payment defaults are blocked (0 = off).</summary>
    public ulong PaymentDefaultThreshold { get; init; }

    /// <summary>The factor for a peer and why (for <c>limits stat peer:ID</c>).</summary>
    /// <param name="stats">Its latest score inputs, or null when never seen.</param>
    /// <param name="ban">Its latest ban, or null.</param>
    /// <param name="now">Observation instant.</param>
    public (double Factor, string Reason) Evaluate(PeerStatsState? stats, PeerBan? ban, DateTimeOffset now)
    {
        var inv = CultureInfo.InvariantCulture;
        if (ban is not null && ban.IsActive(now)) return (0, $"{ban.Describe()}: blockAll");
        if (stats is null) return (1, "no score inputs yet: PeerDefault");
        if (PaymentDefaultThreshold > 0 && stats.PaymentDefaults >= PaymentDefaultThreshold)
            return (0, string.Create(inv, $"payment_defaults {stats.PaymentDefaults} ≥ {PaymentDefaultThreshold}: blockAll"));
        if (BackoffFactor < 1 && stats.BackedOffUntil is { } until && now < until)
            return (BackoffFactor, string.Create(inv, $"backed off until {until.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'} (level {stats.BackoffLevel}): PeerDefault × {BackoffFactor}"));
        if (ScoreFloor is { } floor && BelowFloorFactor < 1)
        {
            double rate = stats.RequestsSent == 0 ? 0.5 : (double)stats.Successes / stats.RequestsSent;
            double score = Scores.Score(rate, stats.SrttMs, stats.LastSuccess, now);
            if (score < floor)
                return (BelowFloorFactor, string.Create(inv, $"score {score:0.###} < floor {floor}: PeerDefault × {BelowFloorFactor}"));
        }

        return (1, "reputation ok: PeerDefault");
    }

    /// <summary>Scales a limit by <paramref name="factor"/> (see the type summary).</summary>
    public static BaseLimit Scale(BaseLimit l, double factor)
    {
        if (factor >= 1) return l;
        if (factor <= 0) return new BaseLimit();
        int C(int v) => v == int.MaxValue || v == 0 ? v : Math.Max(1, (int)Math.Floor(v * factor));
        long M(long v) => v == long.MaxValue || v == 0 ? v : Math.Max(1, (long)Math.Floor(v * factor));
        return new BaseLimit
        {
            Streams = C(l.Streams), StreamsInbound = C(l.StreamsInbound), StreamsOutbound = C(l.StreamsOutbound),
            Conns = C(l.Conns), ConnsInbound = C(l.ConnsInbound), ConnsOutbound = C(l.ConnsOutbound),
            FD = C(l.FD), Memory = M(l.Memory),
        };
    }

    /// <summary>Parses the policy JSON; unknown keys and out-of-range values are refused naming the key.</summary>
    /// <exception cref="InvalidInputException">Field = the key (or <c>$</c> for malformed JSON).</exception>
    public static ReputationLimitPolicy Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("$", $"malformed JSON: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException("$", "must be a JSON object");
            var p = new ReputationLimitPolicy();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                double Num(double min, double max)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Number || !prop.Value.TryGetDouble(out var d) || d < min || d > max)
                        throw new InvalidInputException(prop.Name, $"must be a number in [{min}, {max}], got {prop.Value.GetRawText()}");
                    return d;
                }

                p = prop.Name switch
                {
                    "BackoffFactor" => p with { BackoffFactor = Num(0, 1) },
                    "ScoreFloor" => p with { ScoreFloor = Num(0, 1.1) },
                    "BelowFloorFactor" => p with { BelowFloorFactor = Num(0, 1) },
                    "PaymentDefaultThreshold" => p with { PaymentDefaultThreshold = (ulong)Num(0, 1e9) },
                    _ => throw new InvalidInputException(prop.Name, "unknown key; expected BackoffFactor, ScoreFloor, BelowFloorFactor or PaymentDefaultThreshold"),
                };
            }

            return p;
        }
    }
}
