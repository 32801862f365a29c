namespace PeerActors.Core.Tests.Identity;

public class PeerIdTests
{
    public static TheoryData<string?, bool> Table => new()
    {
        { null, false },
        { "", false },
        { new string('a', 256), true },
        { new string('a', 257), false },
        { "a\u0001b", false },
        { "a\nb", false },
        { "a\tb", false },
        { "a b", false },
        { " a", false },
        { "a\u00A0b", false }, // no-break space
        { "550e8400-e29b-41d4-a716-446655440000", true },
        { "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", true },
        { "npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m", true },
        { "txid:0", true },
        { "ü", true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Validation_table(string? text, bool valid)
    {
        Assert.Equal(valid, PeerId.TryParse(text, out var id));
        if (valid)
        {
            Assert.Equal(text, PeerId.Parse(text).Value);
            Assert.Equal(text, id.Value);
            Assert.Null(PeerId.Validate(text));
        }
        else
        {
            var ex = Assert.Throws<InvalidInputException>(() => PeerId.Parse(text, "peer"));
            Assert.Equal("peer", ex.Field);
            Assert.NotNull(PeerId.Validate(text));
            Assert.True(id.IsEmpty);
        }
    }

    [Fact]
    public void Ids_are_case_sensitive_and_ordinal_ordered()
    {
        var a = PeerId.Parse("Peer");
        var b = PeerId.Parse("peer");
        Assert.NotEqual(a, b);
        Assert.NotEqual(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.CompareTo(b) < 0); // 'P' (0x50) < 'p' (0x70)
        Assert.Equal(PeerId.Parse("peer"), b);
        Assert.True(PeerId.Parse("a").CompareTo(PeerId.Parse("B")) > 0); // ordinal, not culture
    }

    [Theory]
    [InlineData("p1", "s1", "p1")]
    [InlineData(null, "s1", "s1")]
    [InlineData("", "s1", "s1")]
    [InlineData("p1", null, "p1")]
    public void Session_id_fallback(string? peer, string? session, string expected) =>
        Assert.Equal(expected, PeerId.FromPeerOrSession(peer, session).Value);

    [Fact]
    public void Session_fallback_errors_name_the_field()
    {
        Assert.Equal("peerId", Assert.Throws<InvalidInputException>(() => PeerId.FromPeerOrSession(null, null)).Field);
        Assert.Equal("peerId", Assert.Throws<InvalidInputException>(() => PeerId.FromPeerOrSession("a b", "s")).Field);
        Assert.Equal("sessionId", Assert.Throws<InvalidInputException>(() => PeerId.FromPeerOrSession(null, "s\n")).Field);
    }

    [Fact]
    public void Session_and_channel_ids_validate()
    {
        Assert.Equal("s", SessionId.Parse("s").Value);
        Assert.Equal("abc:1", ChannelId.Parse("abc:1").Value);
        Assert.Equal("sessionId", Assert.Throws<InvalidInputException>(() => SessionId.Parse("")).Field);
        Assert.Equal("channelId", Assert.Throws<InvalidInputException>(() => ChannelId.Parse(new string('c', 257))).Field);
    }

    [Fact]
    public void Default_peer_id_is_empty()
    {
        Assert.True(default(PeerId).IsEmpty);
        Assert.Equal("", default(PeerId).Value);
        Assert.Throws<InvalidInputException>(() => new PeerActors.Core.Stats.PeerStats(default, DateTimeOffset.UnixEpoch));
    }
}
