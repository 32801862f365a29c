using PeerActors.Node.Limits;

namespace PeerActors.Node.Tests.Limits;

public sealed class NodeLimitsLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("limits").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string json)
    {
        var p = Path.Combine(_dir, "limits.json");
        File.WriteAllText(p, json);
        return p;
    }

    [Theory]
    [InlineData("{ \"System\": { \"ConnsInbound\": \"lots\" } }", "System.ConnsInbound")]
    [InlineData("{ \"Sytem\": {} }", "Sytem")]
    [InlineData("{ \"System\": ", "$")]
    [InlineData("{ \"Peer\": { \"QmX\": { \"Memory\": \"-5\" } } }", "Peer")]
    public void Bad_limits_json_refuses_to_start_naming_the_key(string json, string key)
    {
        var e = Assert.Throws<NodeConfigurationException>(() => NodeLimitsLoader.Load(Write(json), 4L << 30, 1000));
        Assert.Equal(NodeLimitsLoader.Key, e.Key);
        Assert.StartsWith("peeractors.limits.file: ", e.Message);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void No_file_means_autoscaled_defaults()
    {
        var o = NodeLimitsLoader.Load((string?)null, 32L << 30, 2000);
        Assert.Equal(ScalingLimitConfig.DefaultLimits.AutoScale(32L << 30, 2000), o.Limits);
        Assert.Equal(1000, o.Limits!.System.FD);
    }

    // Issue #12, finding 7: a misspelt limits path, a directory, or a repeated JSON key used to pass silently.
    [Fact]
    public void A_missing_file_is_a_configuration_error_naming_the_key()
    {
        var e = Assert.Throws<NodeConfigurationException>(() => NodeLimitsLoader.Load(Path.Combine(_dir, "none.json"), 32L << 30, 2000));
        Assert.Equal(NodeLimitsLoader.Key, e.Key);
        Assert.Contains("none.json does not exist", e.Message);
    }

    [Fact]
    public void A_directory_is_a_configuration_error_naming_the_key()
    {
        var e = Assert.Throws<NodeConfigurationException>(() => NodeLimitsLoader.Load(_dir, 32L << 30, 2000));
        Assert.Equal(NodeLimitsLoader.Key, e.Key);
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public void A_duplicate_json_key_is_a_configuration_error_naming_the_key()
    {
        var path = Path.Combine(_dir, "dup.json");
        File.WriteAllText(path, """{ "System": { "ConnsInbound": 10 }, "System": { "ConnsInbound": 20 } }""");
        var e = Assert.Throws<NodeConfigurationException>(() => NodeLimitsLoader.Load(path, 32L << 30, 2000));
        Assert.Equal(NodeLimitsLoader.Key, e.Key);
        Assert.Contains("System", e.Message);
        Assert.Contains("uplicate", e.Message);
    }

    [Fact]
    public void Shipped_limits_json_applies_over_defaults()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "config", "limits.json");
        var o = NodeLimitsLoader.Load(path, 8L << 30, 1024);
        Assert.Equal(256, o.Limits!.PeerDefault.StreamsInbound);
        Assert.Equal(64, o.Limits.GetServicePeerLimits("streaming").StreamsInbound);
        Assert.Equal(ScalingLimitConfig.DefaultLimits.AutoScale(8L << 30, 1024).System, o.Limits.System);
    }

    [Fact]
    public void Fd_limit_is_parsed_from_proc_self_limits()
    {
        const string text = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n";
        Assert.Equal(1024, MachineResources.ParseFdLimit(text));
        Assert.Null(MachineResources.ParseFdLimit("Max open files            unlimited            unlimited            files\n"));
        Assert.True(MachineResources.ProcessFdLimit() > 0);
        Assert.True(MachineResources.PhysicalMemoryBytes() > 0);
    }
}
