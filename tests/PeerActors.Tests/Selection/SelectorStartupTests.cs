namespace PeerActors.Tests.SelectionActor;

/// <summary>Which journal offset the selector may store with its snapshot (<see cref="SelectorStartup"/>).</summary>
public class SelectorStartupTests
{
    private static readonly SelectorSnapshot Snapshot = new(100, DateTimeOffset.UnixEpoch, [], []);

    [Fact]
    public void A_loaded_snapshot_is_complete_up_to_its_own_offset_until_the_catch_up_reaches_the_start_mark()
    {
        var s = new SelectorStartup();
        s.OnLoaded(Snapshot, startMark: 150);
        s.StartCatchUp();
        Assert.Equal(100, s.SafeOffset);
        s.Finish(error: null);
        Assert.Equal(150, s.SafeOffset);
        Assert.Equal(new SelectorBootstrapStatus("snapshot", true, 0, 100, 0, null), s.Status());
    }

    [Fact]
    public void Without_a_snapshot_nothing_may_be_saved_until_every_peer_was_woken()
    {
        var s = new SelectorStartup();
        s.OnLoaded(null, startMark: 7);
        s.StartFullWake();
        Assert.Null(s.SafeOffset);
        s.Finish(error: null);
        Assert.Equal(7, s.SafeOffset);
    }

    [Fact]
    public void A_failed_wake_keeps_the_earlier_offset_and_later_marks_are_not_trusted()
    {
        var s = new SelectorStartup();
        s.OnLoaded(null, startMark: 7);
        s.StartFullWake();
        s.Finish(error: "read journal failed");
        s.OnMark(50);
        s.PromotePendingMark();
        Assert.Null(s.SafeOffset);
    }

    [Fact]
    public void A_mark_becomes_the_offset_only_at_the_tick_after_it_was_written()
    {
        var s = new SelectorStartup();
        s.OnLoaded(Snapshot, startMark: 150);
        s.Finish(error: null);
        s.OnMark(300); // events just before it may still be on their way to the selector
        Assert.Equal(150, s.SafeOffset);
        s.PromotePendingMark(); // one snapshot interval later
        Assert.Equal(300, s.SafeOffset);
    }

    [Fact]
    public void A_selector_that_cannot_read_offsets_never_saves()
    {
        var s = new SelectorStartup();
        s.OnLoaded(Snapshot, startMark: null);
        s.Finish(error: null);
        s.PromotePendingMark();
        Assert.Null(s.SafeOffset);
    }
}
