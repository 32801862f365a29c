using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// Issue #12, finding 5: two rows of total_bytes = 2^63−1 for different senders wrapped the 64-bit totals, and the report
/// compared two equally wrong numbers ("expected 921,968,730: OK"). Totals are 128-bit now.
/// </summary>
public sealed class OverflowTests
{
    private static readonly Int128 TwiceMax = (Int128)long.MaxValue * 2;

    private static SessionRecord Huge(int i) => BadInput.Good(i) with { TotalBytes = long.MaxValue };

    [Fact]
    public void Totals_of_two_max_senders_do_not_wrap()
    {
        var t = ReplayTotals.From([Huge(0), Huge(1)]);
        Assert.Equal(TwiceMax, t.TotalIngressBytes);
        Assert.Equal((Int128)long.MaxValue, t.PerSender["send-0"].Bytes);
    }

    [Fact]
    public async Task A_replay_of_two_max_senders_reports_the_exact_sum()
    {
        var dir = TempDir();
        var path = WriteCsv(dir, "huge.csv", [Huge(0), Huge(1)]);

        var (exit, output, err) = await ReplayCli.RunAsync(path, "--data-dir", Path.Combine(dir, "data"), "--report-json", Path.Combine(dir, "r.json"));

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{err}");
        Assert.Contains("18,446,744,073,709,551,614 (expected 18,446,744,073,709,551,614: OK)", output);
        Assert.Contains("\"ingressBytesTotal\": 18446744073709551614", File.ReadAllText(Path.Combine(dir, "r.json")));
    }
}
