using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// Issue #12, finding 2, through <c>peeractors replay</c>: a peer id the peer actors would reject used to pass the reader,
/// be replayed and journaled, and then crash the report with <c>InvalidOperationException: GetPeerStats(...) rejected</c>
/// (exit 1, no report, --strict did not catch it).
/// </summary>
public sealed class ReplayBadInputCommandTests
{
    private static BadRow Case(string name) => BadInput.Rows.Single(r => r.Name == name);

    [Fact]
    public async Task A_257_character_peer_id_is_skipped_and_reported_and_the_replay_completes()
    {
        var dir = TempDir();
        var path = BadInput.WriteCsv(dir, Case("pid2 of 257 characters"));

        var (exit, output, err) = await ReplayCli.RunAsync(path, "--data-dir", Path.Combine(dir, "data"));

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{err}");
        Assert.Contains($"{path}: line 3: pid2 (sender id)", err);
        Assert.Contains("InvalidId: 1", err);
        Assert.DoesNotContain("Unhandled", err);
        Assert.Contains("OK", output); // the ingress check of the report
    }

    [Theory]
    [InlineData("pid2 of 257 characters")]
    [InlineData("max_ts in year 9999")]
    [InlineData("cnt = 200,000,000")]
    public async Task With_strict_a_bad_row_is_refused_before_the_node_starts(string name)
    {
        var dir = TempDir();
        var bad = Case(name);
        var path = BadInput.WriteCsv(dir, bad);

        var (exit, output, err) = await ReplayCli.RunAsync(path, "--strict", "--data-dir", Path.Combine(dir, "data"));

        Assert.Equal(1, exit);
        Assert.Contains($"{path}: line 3: ", err);
        Assert.Contains(bad.Message, err);
        Assert.DoesNotContain("Starting an embedded node", output);
        Assert.False(File.Exists(Path.Combine(dir, "data", "peeractors.db")));
    }

    [Fact]
    public async Task The_chunk_bound_is_a_configuration_key()
    {
        var dir = TempDir();
        var path = BadInput.WriteCsv(dir, new BadRow("cnt 5", i => CsvLine(i, BadInput.Good(i) with { Cnt = 5 }), null, SkipReason.TooManyChunks, "cnt", ""));

        var (exit, _, err) = await ReplayCli.RunAsync(path, "--strict", "--set", "peeractors.replay.max-chunks-per-session=4",
            "--data-dir", Path.Combine(dir, "data"));

        Assert.Equal(1, exit);
        Assert.Contains($"{path}: line 3: cnt 5 is above peeractors.replay.max-chunks-per-session (4)", err);
    }
}
