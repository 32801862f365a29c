using PeerActors.Core.Bans;

namespace PeerActors.Core.Tests.ResourceManager;

public class ReputationLimitPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ReputationLimitPolicy Policy =
        ReputationLimitPolicy.Parse("""{"BackoffFactor": 0.25, "ScoreFloor": 0.5, "BelowFloorFactor": 0.5, "PaymentDefaultThreshold": 3}""");

    private static PeerStatsState Stats(ulong requests = 10, ulong successes = 10, DateTimeOffset? backedOffUntil = null, ulong defaults = 0) => new()
    {
        PeerId = PeerId.Parse("p"), ConnectedAt = T0.AddHours(-1), RequestsSent = requests, Successes = successes,
        SrttMs = 50, RtoMs = 1000, BackedOffUntil = backedOffUntil, BackoffLevel = backedOffUntil is null ? 0 : 2, PaymentDefaults = defaults,
    };

    public static TheoryData<string, PeerStatsState?, PeerBan?, double, string> Cases => new()
    {
        { "good peer", Stats(), null, 1, "reputation ok" },
        { "never seen", null, null, 1, "no score inputs" },
        { "banned", Stats(), new PeerBan(T0.AddHours(1), "spam", T0), 0, "peer banned until 2025-03-01T13:00:00Z (spam): blockAll" },
        { "expired ban", Stats(), new PeerBan(T0, "spam", T0.AddHours(-1)), 1, "reputation ok" },
        { "defaulter", Stats(defaults: 3), null, 0, "payment_defaults 3 ≥ 3: blockAll" },
        { "backed off", Stats(backedOffUntil: T0.AddSeconds(30)), null, 0.25, "PeerDefault × 0.25" },
        { "backoff over", Stats(backedOffUntil: T0), null, 1, "reputation ok" },
        { "below floor", Stats(10, 1), null, 0.5, "< floor 0.5: PeerDefault × 0.5" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_first_matching_rule_gives_the_factor_and_says_why(string name, PeerStatsState? stats, PeerBan? ban, double factor, string why)
    {
        var (f, reason) = Policy.Evaluate(stats, ban, T0);
        Assert.True(f == factor, $"{name}: factor {f}");
        Assert.Contains(why, reason);
    }

    [Fact]
    public void Scaling_floors_keeps_unlimited_and_never_rounds_to_block_all()
    {
        var l = new BaseLimit { Streams = 512, StreamsInbound = 3, StreamsOutbound = int.MaxValue, Conns = 16, ConnsInbound = 0, ConnsOutbound = 16, FD = 1, Memory = 1000 };
        var s = ReputationLimitPolicy.Scale(l, 0.25);
        Assert.Equal(new BaseLimit { Streams = 128, StreamsInbound = 1, StreamsOutbound = int.MaxValue, Conns = 4, ConnsInbound = 0, ConnsOutbound = 4, FD = 1, Memory = 250 }, s);
        Assert.Equal(new BaseLimit(), ReputationLimitPolicy.Scale(l, 0));
        Assert.Equal(l, ReputationLimitPolicy.Scale(l, 1));
    }

    [Theory]
    [InlineData("""{"BackoffFactor": 2}""", "BackoffFactor")]
    [InlineData("""{"ScoreFloor": "high"}""", "ScoreFloor")]
    [InlineData("""{"Backoff": 0.5}""", "Backoff")]
    [InlineData("[]", "$")]
    public void Bad_policy_json_is_refused_naming_the_key(string json, string field) =>
        Assert.Equal(field, Assert.Throws<InvalidInputException>(() => ReputationLimitPolicy.Parse(json)).Field);
}
