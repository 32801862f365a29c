namespace PeerActors.Core.Tests.Stats;

public class PeerStatsTests
{
    internal static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static PeerStats New(PeerStatsOptions? o = null) => new(PeerId.Parse("peer-a"), T0, o);

    [Fact]
    public void Rfc6298_worked_example_100_then_80()
    {
        var s = New();
        s.RecordSuccess(100, 0, T0);
        Assert.Equal(100, s.SrttMs, 12);
        Assert.Equal(50, s.RttvarMs, 12);
        Assert.Equal(300, s.RtoMs); // 100 + max(20, 4·50)
        s.RecordSuccess(80, 0, T0);
        Assert.Equal(97.5, s.SrttMs, 12);
        Assert.Equal(42.5, s.RttvarMs, 12); // 0.75·50 + 0.25·|100−80|
        Assert.Equal(267, s.RtoMs); // ⌊97.5 + 170⌋
    }

    [Fact]
    public void Rfc6298_brief_numbers_from_a_restored_state_give_rto_217()
    {
        // The brief's "SRTT 97.5, RTTVAR 30, RTO 217" needs RTTVAR 100/3 before the 80 ms sample
        // (0.75·100/3 + 0.25·20 = 30); from a fresh estimator the second sample gives RTTVAR 42.5 (above).
        var s = PeerStats.FromState(New().ToState() with { SrttMs = 100, RttvarMs = 100.0 / 3.0 });
        s.RecordSuccess(80, 0, T0);
        Assert.Equal(97.5, s.SrttMs, 12);
        Assert.Equal(30, s.RttvarMs, 12);
        Assert.Equal(217, s.RtoMs); // floor(97.5 + max(20, 120))
    }

    [Fact]
    public void First_sample_sets_srtt_and_half_rttvar_and_g_floor()
    {
        var s = New();
        s.RecordSuccess(4, 0, T0);
        Assert.Equal(4, s.SrttMs);
        Assert.Equal(2, s.RttvarMs);
        Assert.Equal(50, s.RtoMs); // ⌊4 + max(20, 8)⌋ = 24 → clamped to MIN_RTO 50
    }

    [Theory]
    [InlineData(0.0, 50)]       // 0 + max(20, 0) = 20 → 50
    [InlineData(30.0, 90)]      // 30 + max(20, 60)
    [InlineData(20000.0, 60000)] // 20000 + 40000 = 60000
    [InlineData(50000.0, 60000)] // 150000 → MAX_RTO
    public void Rto_is_clamped(double rtt, long expected)
    {
        var s = New();
        s.RecordSuccess(rtt, 0, T0);
        Assert.Equal(expected, s.RtoMs);
    }

    [Fact]
    public void Initial_rto_is_1000()
    {
        Assert.Equal(1000, New().RtoMs);
        Assert.Equal(0, New().SrttMs);
    }

    [Fact]
    public void Timeouts_double_rto_at_most_five_times_then_success_resets()
    {
        var s = New();
        var expected = new long[] { 2000, 4000, 8000, 16000, 32000, 32000, 32000 };
        for (var i = 0; i < expected.Length; i++)
        {
            s.RecordTimeout(T0);
            Assert.Equal(expected[i], s.RtoMs);
            Assert.Equal(Math.Min(i + 1, 5), s.ConsecutiveRtoBackoffs);
        }
        Assert.Equal(7ul, s.Timeouts);
        s.RecordSuccess(100, 0, T0);
        Assert.Equal(0, s.ConsecutiveRtoBackoffs);
        Assert.Equal(0, s.BackoffLevel);
        Assert.Null(s.BackedOffUntil);
        s.RecordTimeout(T0);
        Assert.Equal(2 * 300, s.RtoMs); // doubling resumes from the new RTO
    }

    [Fact]
    public void Timeout_doubling_is_capped_at_max_rto()
    {
        var s = New();
        s.RecordSuccess(20000, 0, T0); // RTO 60000
        s.RecordTimeout(T0);
        Assert.Equal(60000, s.RtoMs);
        Assert.Equal(1, s.ConsecutiveRtoBackoffs);
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(9, 256000)]
    [InlineData(10, 480000)] // 512000 capped
    [InlineData(11, 480000)]
    [InlineData(64, 480000)]
    [InlineData(2000, 480000)]
    [InlineData(int.MaxValue, 480000)]
    public void Backoff_duration_table(int level, long expectedMs) =>
        Assert.Equal(expectedMs, PeerStats.BackoffDurationMs(level, PeerStatsOptions.Default));

    [Fact]
    public void Failures_raise_backoff_level_and_deadline()
    {
        var s = New();
        s.RecordFailure(T0);
        Assert.Equal(1, s.BackoffLevel);
        Assert.Equal(T0.AddMilliseconds(1000), s.BackedOffUntil);
        Assert.Equal(T0, s.LastFailure);
        s.RecordFailure(T0.AddSeconds(1));
        Assert.Equal(2, s.BackoffLevel);
        Assert.Equal(T0.AddSeconds(1).AddMilliseconds(2000), s.BackedOffUntil);
        Assert.Equal(2ul, s.Failures);
        Assert.Equal(1000, s.RtoMs); // failures do not touch the RTO
    }

    [Fact]
    public void Many_failures_saturate_backoff_at_max()
    {
        var s = New();
        for (var i = 0; i < 200; i++) s.RecordFailure(T0);
        Assert.Equal(200, s.BackoffLevel);
        Assert.Equal(T0.AddMilliseconds(480000), s.BackedOffUntil);
    }

    [Fact]
    public void Backed_off_and_remaining()
    {
        var s = New();
        Assert.False(s.IsBackedOff(T0));
        Assert.Equal(TimeSpan.Zero, s.BackoffRemaining(T0));
        s.RecordTimeout(T0);
        Assert.True(s.IsBackedOff(T0));
        Assert.True(s.IsBackedOff(T0.AddMilliseconds(999)));
        Assert.False(s.IsBackedOff(T0.AddMilliseconds(1000)));
        Assert.Equal(TimeSpan.FromMilliseconds(400), s.BackoffRemaining(T0.AddMilliseconds(600)));
        Assert.Equal(TimeSpan.Zero, s.BackoffRemaining(T0.AddSeconds(5)));
    }

    [Fact]
    public void Request_counts_and_bytes()
    {
        var s = New();
        s.RecordRequest(100);
        s.RecordRequest(0);
        s.RecordSuccess(10, 70, T0);
        Assert.Equal(2ul, s.RequestsSent);
        Assert.Equal(100ul, s.BytesSent);
        Assert.Equal(70ul, s.BytesReceived);
        Assert.Equal(1ul, s.Successes);
        Assert.Equal(T0, s.LastSuccess);
    }

    [Fact]
    public void Payments_zero_ignored_receipts_counted_defaults_back_off()
    {
        var s = New();
        s.RecordPayment(0);
        Assert.Equal(0ul, s.PaidSat);
        s.RecordPayment(40);
        s.RecordPayment(2);
        Assert.Equal(42ul, s.PaidSat);
        s.RecordReceipt(0);
        Assert.Equal(0ul, s.PaymentReceipts);
        s.RecordReceipt(7);
        s.RecordReceipt(3);
        Assert.Equal(10ul, s.ReceivedSat);
        Assert.Equal(2ul, s.PaymentReceipts);
        s.RecordPaymentDefault(T0);
        Assert.Equal(1ul, s.PaymentDefaults);
        Assert.Equal(T0, s.LastFailure);
        Assert.Equal(1, s.BackoffLevel);
        Assert.True(s.IsBackedOff(T0));
        Assert.Equal(0ul, s.Failures);
        Assert.Equal(1000, s.RtoMs); // a default is not a timeout
    }

    [Theory]
    [InlineData(0ul, 0ul, 0.5)]
    [InlineData(10ul, 7ul, 0.7)]
    [InlineData(4ul, 4ul, 1.0)]
    [InlineData(3ul, 0ul, 0.0)]
    public void Success_rate(ulong requests, ulong successes, double expected)
    {
        var s = PeerStats.FromState(New().ToState() with { RequestsSent = requests, Successes = successes });
        Assert.Equal(expected, s.SuccessRate, 12);
    }

    [Theory]
    [InlineData(0.0, 100ul, 0.0)]
    [InlineData(9.999, 100ul, 0.0)]
    [InlineData(10.0, 100ul, 10.0)]
    [InlineData(50.0, 100ul, 2.0)]
    [InlineData(50.0, 0ul, 0.0)]
    public void Selection_rate_with_ten_second_warmup(double seconds, ulong requests, double expected)
    {
        var s = PeerStats.FromState(New().ToState() with { RequestsSent = requests });
        Assert.Equal(expected, s.SelectionRate(T0.AddSeconds(seconds)), 9);
    }

    [Fact]
    public void Counters_saturate_at_ulong_max()
    {
        var s = PeerStats.FromState(New().ToState() with
        {
            RequestsSent = ulong.MaxValue, Successes = ulong.MaxValue, Timeouts = ulong.MaxValue,
            Failures = ulong.MaxValue, BytesSent = ulong.MaxValue - 1, BytesReceived = ulong.MaxValue,
            PaidSat = ulong.MaxValue, ReceivedSat = ulong.MaxValue, PaymentReceipts = ulong.MaxValue,
            PaymentDefaults = ulong.MaxValue,
        });
        s.RecordRequest(long.MaxValue);
        s.RecordSuccess(1, long.MaxValue, T0);
        s.RecordTimeout(T0);
        s.RecordFailure(T0);
        s.RecordPayment(long.MaxValue);
        s.RecordReceipt(5);
        s.RecordPaymentDefault(T0);
        Assert.Equal(ulong.MaxValue, s.RequestsSent);
        Assert.Equal(ulong.MaxValue, s.Successes);
        Assert.Equal(ulong.MaxValue, s.Timeouts);
        Assert.Equal(ulong.MaxValue, s.Failures);
        Assert.Equal(ulong.MaxValue, s.BytesSent);
        Assert.Equal(ulong.MaxValue, s.BytesReceived);
        Assert.Equal(ulong.MaxValue, s.PaidSat);
        Assert.Equal(ulong.MaxValue, s.ReceivedSat);
        Assert.Equal(ulong.MaxValue, s.PaymentReceipts);
        Assert.Equal(ulong.MaxValue, s.PaymentDefaults);
        Assert.True(double.IsFinite(s.Score(T0)));
        Assert.True(double.IsFinite(s.UtilityScore(ulong.MaxValue)));
        Assert.True(double.IsFinite(s.TitForTatScore(ulong.MaxValue)));
    }

    public static TheoryData<string, Action<PeerStats>> BadInputs => new()
    {
        { "bytes", s => s.RecordRequest(-1) },
        { "rttMs", s => s.RecordSuccess(-0.5, 0, T0) },
        { "rttMs", s => s.RecordSuccess(double.NaN, 0, T0) },
        { "rttMs", s => s.RecordSuccess(double.PositiveInfinity, 0, T0) },
        { "rttMs", s => s.RecordSuccess(double.NegativeInfinity, 0, T0) },
        { "bytes", s => s.RecordSuccess(10, -5, T0) },
        { "amountSat", s => s.RecordPayment(-1) },
        { "amountSat", s => s.RecordReceipt(-10) },
        { "observedAt", s => s.RecordTimeout(DateTimeOffset.MinValue) },
        { "observedAt", s => s.RecordFailure(DateTimeOffset.MinValue) },
        { "observedAt", s => s.RecordPaymentDefault(DateTimeOffset.MinValue) },
        { "observedAt", s => s.RecordSuccess(1, 1, DateTimeOffset.MinValue) },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_throws_naming_field_and_leaves_state_unchanged(string field, Action<PeerStats> act)
    {
        var s = New();
        s.RecordRequest(10);
        s.RecordSuccess(100, 20, T0);
        var before = s.ToState();
        var ex = Assert.Throws<InvalidInputException>(() => act(s));
        Assert.Equal(field, ex.Field);
        Assert.Contains(field, ex.Message);
        Assert.Equal(before, s.ToState());
    }

    [Fact]
    public void FromState_rejects_bad_rtt_values()
    {
        var st = New().ToState();
        Assert.Equal("srttMs", Assert.Throws<InvalidInputException>(() => PeerStats.FromState(st with { SrttMs = double.NaN })).Field);
        Assert.Equal("rttvarMs", Assert.Throws<InvalidInputException>(() => PeerStats.FromState(st with { RttvarMs = -1 })).Field);
        Assert.Equal("rtoMs", Assert.Throws<InvalidInputException>(() => PeerStats.FromState(st with { RtoMs = -1 })).Field);
    }

    [Fact]
    public void State_round_trip_preserves_every_field()
    {
        var s = New();
        s.RecordRequest(10); s.RecordRequest(20);
        s.RecordSuccess(120, 5, T0.AddSeconds(1));
        s.RecordTimeout(T0.AddSeconds(2));
        s.RecordFailure(T0.AddSeconds(3));
        s.RecordPayment(9); s.RecordReceipt(4); s.RecordPaymentDefault(T0.AddSeconds(4));
        var st = s.ToState();
        var back = PeerStats.FromState(st);
        Assert.Equal(st, back.ToState());
        Assert.Equal(st, s.Clone().ToState());
        Assert.Equal(s.Score(T0.AddSeconds(5)), back.Score(T0.AddSeconds(5)));
        Assert.Equal(s.TitForTatScore(100), back.TitForTatScore(100));
    }

    [Fact]
    public void Custom_options_are_used()
    {
        var o = PeerStatsOptions.Default with { InitialBackoffMs = 10, MaxBackoffMs = 25, MinRtoMs = 1, InitialRtoMs = 7 };
        var s = New(o);
        Assert.Equal(7, s.RtoMs);
        s.RecordFailure(T0); Assert.Equal(T0.AddMilliseconds(10), s.BackedOffUntil);
        s.RecordFailure(T0); Assert.Equal(T0.AddMilliseconds(20), s.BackedOffUntil);
        s.RecordFailure(T0); Assert.Equal(T0.AddMilliseconds(25), s.BackedOffUntil);
    }
}
