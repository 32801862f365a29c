namespace PeerActors.Tests.Peers;

/// <summary>
/// Journal growth by activity must not cost exactness: for random operation sequences (flaps with tiny log caps so that
/// compaction folds the log, bytes across epochs with tiny retention so that buckets fold, late and equal instants,
/// channels opened and closed, protocols), recovering the latest snapshot plus the flush deltas and critical events
/// after it gives exactly the live state, whether the windows came out as deltas or as whole states. The snapshot and
/// the events are recovered from their stored form (PeerSerializer's bytes), as a journal would give them back.
/// </summary>
public sealed class FlushDeltaPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PeerId Id = PeerId.Parse("peer-under-test");
    private static readonly PeerSerializer Serializer = new(null!);

    [Fact]
    public void Snapshot_plus_deltas_recovers_the_live_state_exactly_for_random_operation_sequences()
    {
        var deltas = 0L;
        var wholeStates = 0L;
        for (var seed = 1; seed <= 400; seed++)
        {
            var (d, w) = Run(seed);
            deltas += d;
            wholeStates += w;
        }
        // Both encodings were exercised (a window that compaction folded away falls back to the whole state).
        Assert.True(deltas > 1000, $"deltas {deltas}");
        Assert.True(wholeStates > 0, $"whole states {wholeStates}");
    }

    private static (long Deltas, long WholeStates) Run(int seed)
    {
        var rng = new Random(seed);
        var settings = new PeerActorSettings
        {
            LogOptions = new PeerLogOptions { MaxCommittedEvents = rng.Next(2, 9) },
            BandwidthOptions = new BandwidthOptions { EpochLength = TimeSpan.FromHours(1), MaxEpochs = rng.Next(1, 5) },
        };
        var live = new PeerState(settings);
        var journal = new List<IPeerEvent>();
        PeerStateData? snapshot = null;
        var snapshotAt = 0;
        var t = T0;
        var channels = new List<string>();
        var nextChannel = 0;
        long deltas = 0, wholes = 0;

        void Flush()
        {
            if (!live.Exists) return;
            if (live.TakeWindow() is { } w)
            {
                journal.Add(new ObservationsDelta(t, t, ObservationCounts.Empty, w));
                deltas++;
            }
            else
            {
                journal.Add(new ObservationsFlushed(t, t, ObservationCounts.Empty, live.ToData()));
                wholes++;
            }
        }

        void Critical(IPeerEvent e)
        {
            Flush(); // as the actor: the unflushed window goes first, in the same atomic write
            live.Apply(Id, e);
            live.ResetWindow();
            journal.Add(e);
        }

        var steps = rng.Next(20, 300);
        for (var i = 0; i < steps; i++)
        {
            // Mostly forward in time, sometimes the same instant, sometimes late (clamped by the log).
            t = rng.Next(10) switch
            {
                0 => t,
                1 => t.AddMinutes(-rng.Next(1, 90)),
                _ => t.AddSeconds(rng.Next(1, 4000)),
            };
            switch (rng.Next(12))
            {
                case 0 or 1 or 2:
                    live.EnsureCreated(Id, t);
                    live.Log.OnlineEvent(rng.Next(2) == 0, t);
                    break;
                case 3 or 4:
                    live.EnsureCreated(Id, t);
                    live.Bandwidth.Record(rng.Next(2) == 0 ? TrafficDirection.Ingress : TrafficDirection.Egress, rng.Next(0, 5000),
                        rng.Next(4) == 0 ? t.AddHours(-rng.Next(1, 8)) : t);
                    break;
                case 5:
                    var stats = live.EnsureCreated(Id, t);
                    stats.RecordRequest(rng.Next(0, 100));
                    if (rng.Next(3) > 0) stats.RecordSuccess(rng.Next(1, 2000), rng.Next(0, 100_000), t);
                    else stats.RecordTimeout(t);
                    break;
                case 6:
                    live.EnsureCreated(Id, t);
                    live.AddProtocol($"/p/{rng.Next(4)}");
                    if (rng.Next(2) == 0) live.AddService($"s{rng.Next(3)}");
                    break;
                case 7 when channels.Count < 3:
                    var c = $"tx:{nextChannel++}";
                    channels.Add(c);
                    Critical(new ChannelOpened(c, t));
                    break;
                case 8 when channels.Count > 0:
                    var k = rng.Next(channels.Count);
                    Critical(new ChannelClosed(channels[k], t));
                    channels.RemoveAt(k);
                    break;
                case 9:
                    Critical(new PaymentRecorded(rng.Next(1, 50), t));
                    break;
                case 10:
                    Flush();
                    if (rng.Next(4) == 0 && live.Exists)
                    {
                        snapshot = live.ToData();
                        snapshotAt = journal.Count;
                    }
                    break;
                default:
                    Flush();
                    break;
            }
        }
        Flush();

        var recovered = new PeerState(settings);
        if (snapshot is not null) recovered.Load(Stored(new PeerSnapshot(snapshot)).State);
        foreach (var e in journal.Skip(snapshot is null ? 0 : snapshotAt)) recovered.Apply(Id, Stored(e));
        Assert.True(live.ToData().Equals(recovered.ToData()), $"seed {seed}: recovered state differs from the live state");
        return (deltas, wholes);
    }

    /// <summary>The value as recovery reads it back: written and read under its current manifest.</summary>
    private static T Stored<T>(T value) where T : notnull =>
        (T)Serializer.FromBinary(Serializer.ToBinary(value), Serializer.Manifest(value));
}
