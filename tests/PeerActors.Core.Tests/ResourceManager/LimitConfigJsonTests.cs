using System.Text.RegularExpressions;

namespace PeerActors.Core.Tests.ResourceManager;

public class LimitConfigJsonTests
{
    private const string Noisy = "QmVvtzcZgCkMnSFf2dnrBPXrWuNFWNM9J3MpZQCvWPuVZf";

    // Verbatim from the rcmgr README (seed 004).
    private const string NoisyNeighbourJson = """
        {
          "System": {
            "StreamsOutbound": "unlimited"
          },
          "Peer": {
            "QmVvtzcZgCkMnSFf2dnrBPXrWuNFWNM9J3MpZQCvWPuVZf": {
              "StreamsInbound": "blockAll",
              "StreamsOutbound": "unlimited",
              "ConnsInbound": "blockAll"
            }
          }
        }
        """;

    private static string Squash(string s) => Regex.Replace(s, @"\s+", "");

    [Fact]
    public void Noisy_neighbour_config_serialises_like_rcmgr()
    {
        var cfg = new PartialLimitConfig
        {
            System = new ResourceLimits { StreamsOutbound = LimitVal.Unlimited },
            Peer =
            {
                [Noisy] = new ResourceLimits
                {
                    ConnsInbound = LimitVal.BlockAll,
                    Conns = LimitVal.Default,
                    ConnsOutbound = LimitVal.Default,
                    StreamsInbound = LimitVal.BlockAll,
                    StreamsOutbound = LimitVal.Unlimited,
                },
            },
        };
        Assert.Equal(Squash(NoisyNeighbourJson), Squash(cfg.ToJson(indented: true)));
        Assert.Equal(Squash(NoisyNeighbourJson), cfg.ToJson());
    }

    [Fact]
    public void Noisy_neighbour_config_round_trips_byte_for_byte()
    {
        var parsed = PartialLimitConfig.FromJson(NoisyNeighbourJson);
        Assert.Equal(LimitVal.Unlimited, parsed.System.StreamsOutbound);
        Assert.Equal(LimitVal.BlockAll, parsed.Peer[Noisy].ConnsInbound);
        Assert.Equal(Squash(NoisyNeighbourJson), Squash(parsed.ToJson(indented: true)));
    }

    [Fact]
    public void Limit_object_format_matches_rcmgr_TestJSONMarshalling()
    {
        var l = new ResourceLimits
        {
            StreamsInbound = 10, StreamsOutbound = LimitVal.BlockAll, Conns = 10,
            ConnsOutbound = LimitVal.Unlimited, Memory = LimitVal64.Unlimited,
        };
        const string expected = """{"StreamsInbound":10,"StreamsOutbound":"blockAll","Conns":10,"ConnsOutbound":"unlimited","Memory":"unlimited"}""";
        Assert.Equal(expected, LimitConfigJson.Write(l));
        Assert.Equal(l, PartialLimitConfig.FromJson($"{{\"Conn\":{expected}}}").Conn);
    }

    [Fact]
    public void Memory_is_a_string_and_int64_round_trips()
    {
        var cfg = new PartialLimitConfig { System = new ResourceLimits { Memory = long.MaxValue - 1 } };
        Assert.Equal("""{"System":{"Memory":"9223372036854775806"}}""", cfg.ToJson());
        Assert.Equal(long.MaxValue - 1, PartialLimitConfig.FromJson(cfg.ToJson()).System.Memory.Value);
    }

    [Theory]
    [InlineData("""{"System":{"Streams":0,"Memory":0}}""")]
    [InlineData("""{"System":{"Streams":0,"Memory":"0"}}""")]
    [InlineData("""{"System":{"Streams":"blockAll","Memory":"blockAll"}}""")]
    [InlineData("""{"system":{"streams":-2,"memory":-2}}""")] // Go matches keys case-insensitively
    public void Explicit_zero_means_block_all(string json)
    {
        var l = PartialLimitConfig.FromJson(json).System;
        Assert.Equal(LimitVal.BlockAll, l.Streams);
        Assert.Equal(LimitVal64.BlockAll, l.Memory);
    }

    [Theory]
    [InlineData("""{"System":{"ConnsInbound":"lots"}}""", "System.ConnsInbound")]
    [InlineData("""{"System":{"ConnsInbound":1.5}}""", "System.ConnsInbound")]
    [InlineData("""{"System":{"ConnsInbound":-3}}""", "System.ConnsInbound")]
    [InlineData("""{"System":{"ConnsInbound":4294967296}}""", "System.ConnsInbound")]
    [InlineData("""{"System":{"ConnsInbound":true}}""", "System.ConnsInbound")]
    [InlineData("""{"Peer":{"QmX":{"Memory":"12kb"}}}""", "Peer[\"QmX\"].Memory")]
    [InlineData("""{"Peer":{"QmX":{"Memory":-7}}}""", "Peer[\"QmX\"].Memory")]
    [InlineData("""{"Peer":{"QmX":{"Connz":1}}}""", "Peer[\"QmX\"].Connz")]
    [InlineData("""{"Peer":{"QmX":5}}""", "Peer[\"QmX\"]")]
    [InlineData("""{"Peer":[]}""", "Peer")]
    [InlineData("""{"Service":{"":{}}}""", "Service[\"\"]")]
    [InlineData("""{"Sytem":{}}""", "Sytem")]
    [InlineData("""{"Stream":"x"}""", "Stream")]
    [InlineData("""[1,2]""", "$")]
    [InlineData("""{"System":{"Conns":1,}""", "$")]
    [InlineData("not json", "$")]
    public void Invalid_input_names_the_key(string json, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => PartialLimitConfig.FromJson(json));
        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ":", e.Message);
    }

    [Fact]
    public void Build_applies_partial_over_scaled_defaults()
    {
        var defaults = ScalingLimitConfig.DefaultLimits.Scale(4L << 30, 1000);
        var cfg = PartialLimitConfig.FromJson(NoisyNeighbourJson);
        var built = cfg.Build(defaults);

        Assert.Equal(int.MaxValue, built.System.StreamsOutbound);
        Assert.Equal(defaults.System.Conns, built.System.Conns);
        var noisy = built.GetPeerLimits(Noisy);
        Assert.Equal(0, noisy.ConnsInbound);
        Assert.Equal(0, noisy.StreamsInbound);
        Assert.Equal(int.MaxValue, noisy.StreamsOutbound);
        Assert.Equal(defaults.PeerDefault.Conns, noisy.Conns); // default → peer default
        Assert.Equal(defaults.PeerDefault, built.GetPeerLimits("someone-else"));
    }

    [Fact]
    public void Map_entries_fall_back_to_the_built_default()
    {
        var cfg = new PartialLimitConfig
        {
            ServiceDefault = new ResourceLimits { Streams = 7 },
            Service = { ["foo"] = new ResourceLimits { Conns = 3 } },
        };
        var built = cfg.Build(ConcreteLimitConfig.Infinite);
        Assert.Equal(7, built.GetServiceLimits("foo").Streams);
        Assert.Equal(3, built.GetServiceLimits("foo").Conns);
        Assert.Equal(int.MaxValue, built.GetServiceLimits("foo").FD);
    }

    [Fact]
    public void Concrete_to_partial_and_back_is_identity() // rcmgr TestRoundTripFromConcreteAndBack
    {
        var l = new PartialLimitConfig
        {
            System = new ResourceLimits { Conns = 1234, Memory = 54321 },
            ServiceDefault = new ResourceLimits { Conns = 2 },
            Service = { ["foo"] = new ResourceLimits { Conns = 3 } },
        };
        var concrete = l.Build(ConcreteLimitConfig.Infinite);
        var back = concrete.ToPartialLimitConfig().Build(ConcreteLimitConfig.Infinite);
        Assert.Equal(concrete, back);

        // and through JSON
        var viaJson = PartialLimitConfig.FromJson(concrete.ToPartialLimitConfig().ToJson()).Build(ConcreteLimitConfig.Infinite);
        Assert.Equal(concrete, viaJson);
    }

    [Fact]
    public void Empty_config_writes_empty_object()
    {
        Assert.Equal("{}", new PartialLimitConfig().ToJson());
        Assert.Equal("{}", PartialLimitConfig.FromJson("""{"System":{"Conns":"default"},"Peer":{}}""").ToJson());
    }
}
