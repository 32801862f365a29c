using PeerActors.Core.Bans;

namespace PeerActors.Node.Tests.Hosting;

/// <summary><c>peeractors.bans.*</c>: automatic bans are off by default and configured by two keys.</summary>
public class AutoBanSettingsTests
{
    private static NodeSettings Load(params string[] set) =>
        NodeSettingsLoader.Load(new NodeOverrides { Set = set }, new Dictionary<string, string?>(), AppContext.BaseDirectory);

    [Fact]
    public void Automatic_bans_are_off_by_default_and_on_with_a_threshold()
    {
        Assert.Null(Load().ToPeerActorsOptions().AutoBan);
        var on = Load("peeractors.bans.auto-ban-payment-defaults=3", "peeractors.bans.auto-ban-duration=2h").ToPeerActorsOptions();
        Assert.Equal(new AutoBanPolicy(3, TimeSpan.FromHours(2)), on.AutoBan);
    }

    [Theory]
    [InlineData("peeractors.bans.auto-ban-payment-defaults=-1", "peeractors.bans.auto-ban-payment-defaults")]
    [InlineData("peeractors.bans.auto-ban-duration=soon", "peeractors.bans.auto-ban-duration")]
    public void A_bad_value_stops_the_node_naming_the_key(string set, string key)
    {
        var e = Assert.Throws<NodeConfigurationException>(() => Load(set));
        Assert.Equal(key, e.Key);
    }
}
