namespace PeerActors.Tests.Limits;

/// <summary>Opt-in reputation-aware peer limits, evaluated from the score-input feed at the limit actors' root.</summary>
public sealed class LimitsReputationTests : LimitsTestBase
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private LimitsClient StartWithPolicy(ReputationLimitPolicy? policy, ConcreteLimitConfig limits) =>
        new(Sys.StartPeerActorsLimits(new LimitsOptions
        {
            Limits = limits,
            ReputationPolicy = policy,
            ActorName = "limits-" + Guid.NewGuid().ToString("N"),
        }));

    private static PeerScoreInputs Inputs(string id, long version, DateTimeOffset? backedOffUntil) =>
        new(new PeerStatsState
        {
            PeerId = PeerId.Parse(id), ConnectedAt = T0.AddHours(-1), RequestsSent = 4, Successes = 2, RtoMs = 1000,
            BackedOffUntil = backedOffUntil, BackoffLevel = backedOffUntil is null ? 0 : 1,
        }, version, [], []);

    [Fact]
    public async Task A_backed_off_peer_gets_a_reduced_peer_limit_until_its_backoff_ends_and_stat_explains_why()
    {
        var policy = new ReputationLimitPolicy { BackoffFactor = 0.5 };
        var c = StartWithPolicy(policy, Uniform(L()) with { PeerDefault = L(streams: 4) });
        c.Root.Tell(Inputs("QmSlow", 1, T0.AddMinutes(1)));

        var opened = new List<StreamHandle>();
        for (var i = 0; i < 2; i++) opened.Add((await c.SendAsync(new OpenStream("QmSlow", Direction.Inbound, T0)) as StreamOpened)!.Stream);
        var third = Assert.IsType<LimitRefused>(await c.SendAsync(new OpenStream("QmSlow", Direction.Inbound, T0)));
        Assert.Equal("peer:QmSlow: cannot reserve inbound stream: resource limit exceeded", third.Message);
        var why = (await c.ExplainPeerLimitAsync("QmSlow", T0)).Unwrap();
        Assert.Equal(2, why.Limit.StreamsInbound);
        Assert.StartsWith("reputation: backed off until 2025-03-01T12:01:00Z (level 1): PeerDefault × 0.5", why.Why);

        // At the end of the backoff (observation clock) the full PeerDefault is back, for the live scope too.
        Assert.IsType<StreamOpened>(await c.SendAsync(new OpenStream("QmSlow", Direction.Inbound, T0.AddMinutes(1))));
        Assert.Equal(4, (await c.ExplainPeerLimitAsync("QmSlow", T0.AddMinutes(1))).Unwrap().Limit.StreamsInbound);
    }

    [Fact]
    public async Task An_explicit_peer_limit_wins_over_the_policy_and_no_policy_means_rcmgr_behaviour()
    {
        var c = StartWithPolicy(new ReputationLimitPolicy { BackoffFactor = 0 }, Uniform(L()));
        c.Root.Tell(Inputs("QmA", 1, T0.AddHours(1)));
        (await c.SetLimitAsync("peer:QmA", L(streams: 3))).Unwrap();
        var why = (await c.ExplainPeerLimitAsync("QmA", T0)).Unwrap();
        Assert.Equal((3, "configured Peer[QmA] (limits set)"), (why.Limit.StreamsInbound, why.Why));
        Assert.IsType<StreamOpened>(await c.SendAsync(new OpenStream("QmA", Direction.Inbound, T0)));

        var plain = StartWithPolicy(null, Uniform(L()));
        plain.Root.Tell(Inputs("QmB", 1, T0.AddHours(1)));
        Assert.IsType<StreamOpened>(await plain.SendAsync(new OpenStream("QmB", Direction.Inbound, T0)));
        Assert.False((await plain.ExplainPeerLimitAsync("QmB", T0)).Unwrap().PolicyEnabled);
    }
}
