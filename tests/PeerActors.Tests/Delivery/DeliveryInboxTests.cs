namespace PeerActors.Tests.Delivery;

/// <summary>The receiving side's decisions, table-driven: which items of a batch are new, duplicate, or after a gap.</summary>
public sealed class DeliveryInboxTests
{
    public static TheoryData<string, long, long, long, int, int, long> Admissions() => new()
    {
        // name, applied before, first, confirmed, count → skip, resendFrom
        { "first batch of a new producer is applied whole", 0, 1, 0, 3, 0, 0 },
        { "the next contiguous batch is applied whole", 3, 4, 0, 2, 0, 0 },
        { "a resend of applied items is skipped whole", 5, 1, 0, 5, 5, 0 },
        { "a resend overlapping the mark skips only the applied prefix", 5, 4, 0, 4, 2, 0 },
        { "a batch after a gap is refused and asks for the missing items", 3, 6, 0, 2, 0, 4 },
        { "a producer mark above ours means our history was erased: continue after it", 0, 11, 10, 2, 0, 0 },
        { "the confirmed mark also skips items it covers", 0, 9, 10, 3, 2, 0 },
    };

    [Theory]
    [MemberData(nameof(Admissions))]
    public void Admit(string name, long appliedBefore, long first, long confirmed, int count, int skip, long resendFrom)
    {
        var inbox = new DeliveryInbox<object>();
        if (appliedBefore > 0) inbox.Recover(new DeliveryMark("p", appliedBefore));
        var a = inbox.Admit("p", new object(), first, confirmed, count);
        Assert.True((skip, resendFrom) == (a.Skip, a.ResendFrom), name);
    }

    [Fact]
    public void Window_marks_are_taken_once_and_become_persisted()
    {
        var inbox = new DeliveryInbox<object>();
        inbox.Admit("p", "ref", 1, 0, 2);
        inbox.Applied("p", 1);
        inbox.Applied("p", 2);
        Assert.True(inbox.HasWindow);
        var marks = inbox.TakeWindow();
        Assert.Equal([new DeliveryMark("p", 2)], marks);
        Assert.False(inbox.HasWindow);
        Assert.Equal(0, inbox.Get("p")!.Persisted);
        var m = inbox.Persisted(marks[0]);
        Assert.Equal((2L, 2L, "ref"), (m!.Applied, m.Persisted, (string?)m.Ref));
        Assert.Equal([new DeliveryMark("p", 2)], inbox.Snapshot());
    }

    [Fact]
    public void The_least_recently_seen_idle_producer_is_forgotten_beyond_the_bound()
    {
        var inbox = new DeliveryInbox<object>(maxProducers: 2);
        inbox.Recover(new DeliveryMark("old", 5));
        inbox.Recover(new DeliveryMark("newer", 5));
        inbox.Admit("newer", "r", 6, 0, 1);
        inbox.Admit("third", "r", 1, 0, 1);
        Assert.Null(inbox.Get("old"));
        Assert.NotNull(inbox.Get("newer"));
        Assert.Equal(2, inbox.Count);
    }
}
