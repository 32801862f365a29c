namespace PeerActors.Tests.Limits;

/// <summary>Run-time limit changes are critical: written to the set file before the ack, reapplied on start.</summary>
public sealed class LimitsDurableTests : LimitsTestBase, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peeractors-limits-set-").FullName;

    public new void Dispose()
    {
        base.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string SetFile => Path.Combine(_dir, LimitSetFile.FileName);

    private (LimitsClient Client, IActorRef Root) StartDurable(string? setFile = null)
    {
        var root = Sys.StartPeerActorsLimits(new LimitsOptions
        {
            Limits = Uniform(L()),
            LimitsJson = null,
            SetFile = setFile ?? SetFile,
            IdleSweepInterval = TimeSpan.FromMilliseconds(100),
            ActorName = "limits-" + Guid.NewGuid().ToString("N"),
        });
        return (new LimitsClient(root), root);
    }

    private void Restart(IActorRef root)
    {
        Watch(root);
        Sys.Stop(root);
        ExpectTerminated(root);
    }

    [Fact]
    public async Task A_change_is_on_disk_when_acked_and_still_in_force_after_a_restart()
    {
        var (c, root) = StartDurable();
        var changed = (await c.ChangeLimitAsync("peer:QmS", LimitConfigJson.ParseChange("""{"StreamsInbound": 1}"""))).Unwrap();
        Assert.Equal((100, 1, SetFile), (changed.Previous.StreamsInbound, changed.Limit.StreamsInbound, changed.PersistedTo));
        Assert.Contains("\"QmS\"", File.ReadAllText(SetFile)); // written before the reply
        (await c.SetLimitAsync("system", L(streams: 5))).Unwrap(); // rcmgr SetLimit of a whole limit is persisted too
        Restart(root);

        var (again, _) = StartDurable();
        Assert.True((await again.OpenStreamAsync("QmS", Direction.Inbound)).Ok);
        var refused = (await again.OpenStreamAsync("QmS", Direction.Inbound)).Refused;
        Assert.Equal("peer:QmS: cannot reserve inbound stream: resource limit exceeded", refused?.Message);
        var limits = (await again.GetLimitsAsync()).Unwrap();
        Assert.Equal(5, limits.Limits.System.Streams);
        Assert.Equal(LimitSource.Set, limits.Layers!.SourceOf("Peer", "QmS", "StreamsInbound"));
        Assert.Equal(LimitSource.Default, limits.Layers.SourceOf("Peer", "QmS", "Conns"));
    }

    [Fact]
    public async Task Default_drops_the_run_time_value_durably()
    {
        var (c, root) = StartDurable();
        (await c.ChangeLimitAsync("system", LimitConfigJson.ParseChange("""{"Conns": 3}"""))).Unwrap();
        (await c.ChangeLimitAsync("system", LimitConfigJson.ParseChange("""{"Conns": "default"}"""))).Unwrap();
        Restart(root);
        Assert.Equal(100, (await StartDurable().Client.GetLimitsAsync()).Unwrap().Limits.System.Conns);
    }

    [Theory]
    [InlineData("bogus:x", "scope", "bogus:x: unknown scope kind 'bogus'")]
    [InlineData("svc:../../x", "scope", "svc:../../x: path-like names are not scope names")]
    [InlineData("svc:x.peer:QmA", "scope", "live-only")]
    public async Task Bad_scope_names_are_refused_naming_the_scope_and_nothing_is_written(string scope, string field, string message)
    {
        var (c, _) = StartDurable();
        var r = await c.ChangeLimitAsync(scope, LimitConfigJson.ParseChange("""{"Conns": 3}"""));
        Assert.Equal(field, r.Failure?.Field);
        Assert.Contains(message, r.Failure!.Message);
        Assert.False(File.Exists(SetFile));
    }

    [Fact]
    public async Task Stat_of_an_unknown_scope_kind_names_the_kind_not_a_closed_scope()
    {
        var (c, _) = StartDurable();
        var r = await c.StatAsync("bogus:x");
        Assert.StartsWith("bogus:x: unknown scope kind 'bogus'", r.Failure?.Message);
    }

    [Fact]
    public async Task A_change_that_cannot_be_written_is_refused_and_not_applied()
    {
        var blocker = Path.Combine(_dir, "not-a-dir");
        File.WriteAllText(blocker, "x");
        var (c, _) = StartDurable(Path.Combine(blocker, LimitSetFile.FileName));
        var r = await c.ChangeLimitAsync("system", LimitConfigJson.ParseChange("""{"Conns": 3}"""));
        Assert.Equal("limits", r.Failure?.Field);
        Assert.Contains("the change was not applied", r.Failure!.Message);
        Assert.Equal(100, (await c.GetLimitsAsync()).Unwrap().Limits.System.Conns);
    }
}
