namespace PeerActors.Core.Tests.ResourceManager;

public class LimitLayersTests
{
    private static readonly ConcreteLimitConfig Defaults = ScalingLimitConfig.DefaultLimits.Scale(4L << 30, 1000);

    [Theory]
    [InlineData("""{"StreamsInbound": 10}""", "StreamsInbound", 10L)]
    [InlineData("""{"StreamsInbound": 0}""", "StreamsInbound", -2L)]         // rcmgr: an explicit 0 blocks all
    [InlineData("""{"StreamsInbound": "unlimited"}""", "StreamsInbound", -1L)]
    [InlineData("""{"conns": "blockAll"}""", "Conns", -2L)]
    [InlineData("""{"Memory": "1048576"}""", "Memory", 1_048_576L)]         // rcmgr writes memory as a string
    public void ParseChange_reads_rcmgr_values(string json, string field, long raw)
    {
        var c = LimitConfigJson.ParseChange(json);
        Assert.Equal(raw, LimitLayers.Raw(c.Values, field));
        Assert.Empty(c.Reset);
    }

    [Theory]
    [InlineData("""{"StreamsInbound": -1}""", "limit.StreamsInbound")]   // was: silently unlimited
    [InlineData("""{"StreamsInbound": -2}""", "limit.StreamsInbound")]   // was: silently blockAll
    [InlineData("""{"Memory": "-5"}""", "limit.Memory")]
    [InlineData("""{"FD": 1.5}""", "limit.FD")]
    [InlineData("""{"FD": "lots"}""", "limit.FD")]
    [InlineData("""{"Conns": 99999999999}""", "limit.Conns")]
    [InlineData("""{"Streamz": 1}""", "limit.Streamz")]
    [InlineData("[1]", "limit")]
    [InlineData("{", "limit")]
    public void ParseChange_refuses_anything_else_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => LimitConfigJson.ParseChange(json));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Default_in_a_change_is_a_reset_of_that_field()
    {
        var c = LimitConfigJson.ParseChange("""{"Conns": "default", "FD": 9}""");
        Assert.Equal(["Conns"], c.Reset);
        Assert.Equal(9, c.Values.FD.Value);
    }

    [Theory]
    [InlineData("system", LimitScopeKind.System, null)]
    [InlineData("allowlistedTransient", LimitScopeKind.AllowlistedTransient, null)]
    [InlineData("svc:streaming", LimitScopeKind.Service, "streaming")]
    [InlineData("protocol:/p2p-live/chunk/1.0.0", LimitScopeKind.Protocol, "/p2p-live/chunk/1.0.0")]
    [InlineData("peer:QmX", LimitScopeKind.Peer, "QmX")]
    public void Scope_names_with_a_configuration_key_parse(string name, LimitScopeKind kind, string? key)
    {
        var s = LimitScopeName.Parse(name);
        Assert.Equal((kind, key), (s.Kind, s.Key));
        Assert.Equal(name, s.ToString());
    }

    [Theory]
    [InlineData("bogus:x", "unknown scope kind 'bogus'")]
    [InlineData("System", "unknown scope kind 'System'")]
    [InlineData("svc:../../x", "path-like")]
    [InlineData("protocol:/a/../b", "path-like")]
    [InlineData("peer:a/b", "path-like")]
    [InlineData("svc:a\\b", "path-like")]
    [InlineData("peer:", "")]
    [InlineData("peer:a b", "visible characters")]
    [InlineData("svc:x.peer:QmA", "live-only")]
    [InlineData("conn-3", "live-only")]
    [InlineData("", "required")]
    public void Other_scope_names_are_refused_naming_the_scope(string name, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => LimitScopeName.Parse(name));
        Assert.Equal("scope", e.Field);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Layers_build_set_over_file_over_defaults_and_say_where_each_value_comes_from()
    {
        var file = PartialLimitConfig.FromJson("""{"System":{"Conns":500},"PeerDefault":{"StreamsInbound":64}}""");
        var layers = new LimitLayers(Defaults, file)
            .With(LimitScopeName.Parse("system"), LimitConfigJson.ParseChange("""{"ConnsInbound": 7}"""))
            .With(LimitScopeName.Parse("peer:QmX"), LimitConfigJson.ParseChange("""{"StreamsOutbound": 3}"""));

        Assert.Equal(500, layers.Effective.System.Conns);
        Assert.Equal(7, layers.Effective.System.ConnsInbound);
        Assert.Equal(Defaults.System.FD, layers.Effective.System.FD);
        Assert.Equal((LimitSource.File, LimitSource.Set, LimitSource.Default),
            (layers.SourceOf("System", null, "Conns"), layers.SourceOf("System", null, "ConnsInbound"), layers.SourceOf("System", null, "FD")));

        var peer = layers.LimitOf(LimitScopeName.Parse("peer:QmX"));
        Assert.Equal((3, 64, Defaults.PeerDefault.Conns), (peer.StreamsOutbound, peer.StreamsInbound, peer.Conns));
        // A peer entry inherits PeerDefault's sources for the fields it does not set.
        Assert.Equal((LimitSource.Set, LimitSource.File, LimitSource.Default),
            (layers.SourceOf("Peer", "QmX", "StreamsOutbound"), layers.SourceOf("Peer", "QmX", "StreamsInbound"), layers.SourceOf("Peer", "QmX", "Conns")));

        // "default" drops the run-time value: the file's (or the scaled default) is back.
        var reset = layers.With(LimitScopeName.Parse("system"), LimitConfigJson.ParseChange("""{"ConnsInbound": "default"}"""));
        Assert.Equal(Defaults.System.ConnsInbound, reset.Effective.System.ConnsInbound);
        Assert.Equal(LimitSource.Default, reset.SourceOf("System", null, "ConnsInbound"));
        var peerReset = reset.With(LimitScopeName.Parse("peer:QmX"), LimitConfigJson.ParseChange("""{"StreamsOutbound": "default"}"""));
        Assert.Empty(peerReset.Set.Peer); // nothing left to persist for that peer
    }
}
