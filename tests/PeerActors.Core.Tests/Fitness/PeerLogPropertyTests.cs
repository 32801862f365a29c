namespace PeerActors.Core.Tests.Fitness;

public class PeerLogPropertyTests
{
    private static readonly DateTimeOffset T0 = PeerLogTests.T0;

    /// <summary>
    /// Interprets each int as one operation: the low 2 bits pick the kind (online, offline, add channel,
    /// remove channel) and the rest, g, sets the gap since the previous operation: g² minutes (FsCheck ints are
    /// small, so this mixes sub-rate-limit gaps with gaps of many hours that trigger cooldown).
    /// </summary>
    private static DateTimeOffset Apply(IEnumerable<int> ops, params PeerLog[] logs)
    {
        var t = T0;
        var next = 0;
        foreach (var op in ops)
        {
            var g = ((uint)op >> 2) % 200;
            t = t.AddMinutes(g * g);
            switch (op & 3)
            {
                case 0:
                case 1:
                    foreach (var l in logs) l.OnlineEvent((op & 1) == 0, t);
                    break;
                case 2:
                    var id = $"ch{next++}";
                    foreach (var l in logs) l.AddChannel(id, t);
                    break;
                default:
                    var first = logs[0].Channels.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
                    if (first is not null) foreach (var l in logs) l.RemoveChannel(first);
                    break;
            }
        }
        return t;
    }

    [Property(MaxTest = 200)]
    public bool Online_periods_are_ordered_and_disjoint(int[] ops, ushort extraSeconds)
    {
        var log = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 4 });
        var now = Apply(ops, log).AddSeconds(extraSeconds);
        var periods = log.OnlinePeriods(now);
        for (var i = 0; i < periods.Count; i++)
        {
            if (periods[i].Start > periods[i].End) return false;
            if (i > 0 && periods[i - 1].End > periods[i].Start) return false;
        }
        return true;
    }

    [Property(MaxTest = 200)]
    public bool Uptime_never_exceeds_lifetime(int[] ops, ushort extraSeconds)
    {
        var log = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 4 });
        var now = Apply(ops, log).AddSeconds(extraSeconds);
        foreach (var id in log.Channels.Keys)
        {
            var r = log.ChannelUptime(id, now);
            if (r.Uptime < TimeSpan.Zero || r.Uptime > r.Lifetime) return false;
        }
        var any = log.Uptime(T0, now, now);
        return any >= TimeSpan.Zero && any <= now - T0;
    }

    [Property(MaxTest = 200)]
    public void Compaction_is_exact_for_channels_and_whole_log(int[] ops, ushort extraSeconds)
    {
        var small = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 2 });
        var full = new PeerLog(new PeerLogOptions { MaxCommittedEvents = int.MaxValue });
        var now = Apply(ops, small, full).AddSeconds(extraSeconds);
        Assert.Equal(full.FlapCount(), small.FlapCount());
        Assert.Equal(full.Uptime(T0, now, now), small.Uptime(T0, now, now));
        foreach (var id in full.Channels.Keys)
            Assert.Equal(full.ChannelUptime(id, now), small.ChannelUptime(id, now));
        Assert.True(small.CommittedEvents.Count <= 2);
    }

    /// <summary>Seeded long scenario: many flaps, occasional channel opens, rare closes, gaps from ms to a day.</summary>
    internal static DateTimeOffset ApplySeeded(int seed, int steps, params PeerLog[] logs)
    {
        var rng = new Random(seed);
        var t = T0;
        var next = 0;
        foreach (var l in logs) l.AddChannel("ch-start", t);
        for (var i = 0; i < steps; i++)
        {
            t = t.AddMilliseconds(rng.Next(4) switch
            {
                0 => rng.Next(2_000),
                1 => rng.Next(120_000),
                2 => rng.Next(7_200_000),
                _ => rng.Next(86_400_000),
            });
            var roll = rng.Next(100);
            if (roll < 8)
            {
                var id = $"ch{next++}";
                foreach (var l in logs) l.AddChannel(id, t);
            }
            else if (roll < 10 && logs[0].ChannelCount > 1)
            {
                var victim = logs[0].Channels.Keys.Order(StringComparer.Ordinal).ElementAt(rng.Next(logs[0].ChannelCount));
                foreach (var l in logs) l.RemoveChannel(victim);
            }
            else
            {
                var online = rng.Next(2) == 0;
                foreach (var l in logs) l.OnlineEvent(online, t);
            }
        }
        return t;
    }

    [Property(MaxTest = 100)]
    public void Compaction_is_exact_on_long_seeded_scenarios(int seed, byte cap) => AssertCompactionExact(seed, cap);

    /// <summary>
    /// Runs <see cref="ApplySeeded"/> on a log with cap 2 + cap % 8 and on an uncompacted one, and asserts that flap
    /// counts, whole-log uptime and every channel's uptime are identical, and that the state round-trips.
    /// </summary>
    internal static void AssertCompactionExact(int seed, byte cap)
    {
        var small = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 2 + cap % 8 });
        var full = new PeerLog(new PeerLogOptions { MaxCommittedEvents = int.MaxValue });
        var now = ApplySeeded(seed, 400, small, full).AddMinutes(5);
        Assert.NotNull(small.Prefix);
        Assert.Equal(full.FlapCount(), small.FlapCount());
        Assert.Equal(full.Uptime(T0, now, now), small.Uptime(T0, now, now));
        foreach (var id in full.Channels.Keys)
            Assert.Equal(full.ChannelUptime(id, now), small.ChannelUptime(id, now));
        var state = small.ToState();
        Assert.Equal(state, PeerLog.FromState(state, small.Options).ToState());
    }

    [Property(MaxTest = 100)]
    public void State_round_trip_is_exact(int[] ops)
    {
        var options = new PeerLogOptions { MaxCommittedEvents = 3 };
        var log = new PeerLog(options);
        Apply(ops, log);
        var state = log.ToState();
        Assert.Equal(state, PeerLog.FromState(state, options).ToState());
    }
}
