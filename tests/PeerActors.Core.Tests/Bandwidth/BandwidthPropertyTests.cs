namespace PeerActors.Core.Tests.Bandwidth;

public class BandwidthPropertyTests
{
    private static readonly DateTimeOffset T0 = BandwidthTests.T0;

    /// <summary>
    /// <paramref name="count"/> random observations from a generator seeded by FsCheck: 7 peers (some only by
    /// session id), both directions, up to 1 MB each, spread over ~70 days of hourly epochs.
    /// </summary>
    private static BandwidthLedger Fill(BandwidthOptions options, int seed, byte count)
    {
        var rng = new Random(seed);
        var ledger = new BandwidthLedger(options);
        for (var n = 0; n < count; n++)
        {
            var peer = rng.Next(7);
            var dir = rng.Next(2) == 0 ? TrafficDirection.Ingress : TrafficDirection.Egress;
            var amount = rng.Next(4) == 0 ? 0 : rng.NextInt64(1_000_000);
            var at = T0.AddMinutes(rng.Next(-50_000, 50_000));
            if (peer == 0) ledger.Record(null, "session-0", dir, amount, at);
            else ledger.Record($"peer-{peer}", "ignored", dir, amount, at);
        }
        return ledger;
    }

    [Property(MaxTest = 300)]
    public void Export_sums_equal_totals_exactly(int seed, byte count, byte maxEpochs)
    {
        var options = new BandwidthOptions { MaxEpochs = maxEpochs % 5 == 0 ? null : maxEpochs % 5 };
        var ledger = Fill(options, seed, count);
        var export = ledger.Export();
        Assert.Equal(ledger.IngressBytes, export.Rows.Sum(r => r.IngressBytes));
        Assert.Equal(ledger.EgressBytes, export.Rows.Sum(r => r.EgressBytes));
        Assert.Equal(ledger.IngressBytes, export.IngressBytes);
        Assert.Equal(ledger.EgressBytes, export.EgressBytes);
        foreach (var (id, peer) in ledger.Peers)
        {
            Assert.Equal(peer.IngressBytes, export.Rows.Where(r => r.PeerId == id).Sum(r => r.IngressBytes));
            Assert.Equal(peer.EgressBytes, export.Rows.Where(r => r.PeerId == id).Sum(r => r.EgressBytes));
            if (options.MaxEpochs is { } max) Assert.True(peer.Epochs.Count <= max);
        }
        Assert.Equal(ledger.IngressBytes, ledger.Peers.Values.Sum(p => p.IngressBytes));
    }

    [Property(MaxTest = 300)]
    public bool Counters_are_never_negative(int seed, byte count)
    {
        var ledger = Fill(BandwidthOptions.Default with { MaxEpochs = 2 }, seed, count);
        return ledger.IngressBytes >= 0 && ledger.EgressBytes >= 0
            && ledger.Export().Rows.All(r => r.IngressBytes >= 0 && r.EgressBytes >= 0 && r.EpochEnd > r.EpochStart);
    }

    [Property(MaxTest = 200)]
    public void Windows_split_at_an_epoch_boundary_partition_the_totals(int seed, byte count, short splitHours)
    {
        var ledger = Fill(BandwidthOptions.Default, seed, count);
        var split = T0.AddHours(splitHours % 1000); // aligned to an epoch boundary
        var before = ledger.Export(null, split);
        var after = ledger.Export(split, null);
        Assert.Equal(ledger.IngressBytes, before.IngressBytes + after.IngressBytes);
        Assert.Equal(ledger.EgressBytes, before.EgressBytes + after.EgressBytes);
    }
}
