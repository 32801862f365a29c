using PeerActors.Node.Replay;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// The whole real day (shared/data/p2p-live-streaming/training_data_2020_03_14.parquet beside the repo).
/// The file is required: when it is absent, <see cref="ReplayTestData.RealDayPath"/> fails with a clear message.
/// </summary>
public class RealDayTests
{
    [Fact]
    public void Whole_day_parquet_reads_and_plans_to_the_documented_totals()
    {
        var read = SessionSource.Read([ReplayTestData.RealDayPath()], strict: true);
        Assert.Equal(19_538, read.Records.Count);
        Assert.Equal(0, read.Diagnostics.RowsSkipped);

        var plan = ReplayPlanner.Plan(read.Records);
        var t = plan.Totals;
        Assert.Equal(19_538, t.Sessions);
        Assert.Equal(344_011L, t.Chunks);
        Assert.Equal(8_878, t.DistinctPeers);
        Assert.Equal(7_177, t.DistinctReceivers);
        Assert.Equal(4_781, t.DistinctSenders);
        Assert.InRange((double)t.TotalIngressBytes / 1e9, 298.5, 299.5); // "299 GB moved"
        // "23.7 h span": earliest min_ts .. latest max_ts (the file's column statistics, µs since the epoch).
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1584144000016000L * 10), t.FirstTs);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1584229565498000L * 10), t.LastTs);

        ReplayPlannerTests.AssertStepsConsistent(plan);
    }
}
