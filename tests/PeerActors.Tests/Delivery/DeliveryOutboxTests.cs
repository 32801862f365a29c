using PeerActors.Delivery;
using PeerActors.Peers;
using Xunit;
using PeerActors.Core.Errors;

namespace PeerActors.Tests.Delivery;

/// <summary>The sending side: batching, answers to callers, release on persisted acks, resend on silence or a gap.</summary>
public sealed class DeliveryOutboxTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DeliverySettings Settings = new() { MaxBatchItems = 2, ResendAfter = TimeSpan.FromSeconds(3), MaxUnconfirmed = 5 };

    private sealed record Sent(string Peer, long First, long Confirmed, int Count);

    private static List<Sent> Take(DeliveryOutbox<string> o, long now)
    {
        var sent = new List<Sent>();
        o.TakeBatches(now, (p, f, c, items) => sent.Add(new Sent(p, f, c, items.Count)));
        return sent;
    }

    /// <summary>Peer "a"'s actor (producer "p") acknowledges at <paramref name="now"/>, with no rejection to answer.</summary>
    private static void AckFromA(DeliveryOutbox<string> o, long applied, long persisted, long resendFrom, long now) =>
        o.OnAck(new DeliveryAck("a", "p", applied, persisted, resendFrom, []), now, (_, _) => { });

    /// <summary>An outbox (1 tick = 1 s) whose first <paramref name="items"/> requests to peer "a" were sent at tick 0, none confirmed yet.</summary>
    private static DeliveryOutbox<string> SentToA(int items)
    {
        var o = new DeliveryOutbox<string>(Settings, 1);
        for (var i = 0; i < items; i++) o.Enqueue(new RecordRequest("a", 0, T0), null);
        Take(o, 0);
        return o;
    }

    [Fact]
    public void Items_are_numbered_per_peer_and_sent_in_batches_of_at_most_the_limit()
    {
        var o = new DeliveryOutbox<string>(Settings, 1);
        for (var i = 0; i < 3; i++) o.Enqueue(new RecordRequest("a", 0, T0), null);
        Assert.Equal(1, o.Enqueue(new RecordRequest("b", 0, T0), null));
        Assert.Equal([new Sent("a", 1, 0, 2), new Sent("a", 3, 0, 1), new Sent("b", 1, 0, 1)], Take(o, 0));
        Assert.Empty(Take(o, 0));
    }

    [Fact]
    public void High_rate_callers_are_answered_when_applied_critical_ones_when_persisted()
    {
        var o = new DeliveryOutbox<string>(Settings, 1);
        o.Enqueue(new RecordRequest("a", 0, T0), "caller-1");
        o.Enqueue(new RecordPayment("a", 5, T0), "caller-2");
        Take(o, 0);
        var replies = new List<(string, object)>();
        o.OnAck(new DeliveryAck("a", "p", 2, 0, 0, []), 1, (to, r) => replies.Add((to, r)));
        Assert.Equal([("caller-1", (object)new CommandAck("a", Durability.HighRate))], replies);
        o.OnAck(new DeliveryAck("a", "p", 2, 2, 0, []), 2, (to, r) => replies.Add((to, r)));
        Assert.Equal(("caller-2", (object)new CommandAck("a", Durability.Critical)), replies[1]);
        Assert.Equal(0, o.Unconfirmed);
    }

    [Fact]
    public void A_rejection_answers_its_caller_once()
    {
        var o = new DeliveryOutbox<string>(Settings, 1);
        o.Enqueue(new OpenChannel("a", "c", T0), "caller");
        Take(o, 0);
        var rejected = new CommandRejected("a", ErrorCodes.ChannelExists, "channelId", "x");
        var replies = new List<object>();
        o.OnAck(new DeliveryAck("a", "p", 1, 0, 0, [new ItemRejection(1, rejected)]), 1, (_, r) => replies.Add(r));
        o.OnAck(new DeliveryAck("a", "p", 1, 1, 0, []), 2, (_, r) => replies.Add(r));
        Assert.Equal([rejected], replies);
    }

    [Fact]
    public void Silence_past_resend_after_sends_every_unconfirmed_item_again()
    {
        var o = SentToA(3);
        AckFromA(o, 3, 1, 0, 1);
        Assert.Equal(0, o.CheckResend(3)); // progress at t = 1
        Assert.Equal(1, o.CheckResend(4));
        Assert.Equal([new Sent("a", 2, 1, 2)], Take(o, 4));
        Assert.Equal(2, o.ItemsResent);
    }

    [Fact]
    public void A_gap_reported_by_the_peer_rewinds_to_the_expected_item_at_once()
    {
        var o = SentToA(4);
        AckFromA(o, 0, 0, 1, 0);
        Assert.Equal([new Sent("a", 1, 0, 2), new Sent("a", 3, 0, 2)], Take(o, 0));
    }

    [Fact]
    public void A_full_buffer_refuses_new_items()
    {
        var o = new DeliveryOutbox<string>(Settings, 1);
        for (var i = 0; i < 5; i++) Assert.True(o.Enqueue(new RecordRequest("a", 0, T0), null) > 0);
        Assert.Equal(0, o.Enqueue(new RecordRequest("a", 0, T0), null));
        Assert.Equal(1, o.Refused);
    }

    [Fact]
    public void A_peer_with_everything_confirmed_keeps_only_its_marks_and_continues_its_sequence()
    {
        var o = new DeliveryOutbox<string>(Settings, 1);
        o.Enqueue(new RecordRequest("a", 0, T0), null);
        o.Enqueue(new RecordRequest("a", 0, T0), null);
        o.Enqueue(new RecordRequest("b", 0, T0), null);
        Take(o, 0);
        AckFromA(o, 2, 2, 0, 1);
        Assert.Equal(1, o.ActivePeers); // b still waits for its ack
        Assert.Equal(2, o.KnownPeers);
        Assert.Equal(3, o.Enqueue(new RecordRequest("a", 0, T0), null));
        Assert.Equal([new Sent("a", 3, 2, 1)], Take(o, 2));
        Assert.Equal(0, o.ItemsResent);
    }

    [Fact]
    public void Going_idle_never_drops_a_pending_item_of_the_peer()
    {
        var o = SentToA(3);
        // Persisted up to 2 of 3: the peer is not idle, its third item is sent again after the silence.
        AckFromA(o, 2, 2, 0, 1);
        Assert.Equal(1, o.ActivePeers);
        Assert.Equal(1, o.Unconfirmed);
        Assert.Equal(1, o.CheckResend(5));
        Assert.Equal([new Sent("a", 3, 2, 1)], Take(o, 5));
        AckFromA(o, 3, 3, 0, 6);
        Assert.Equal(0, o.ActivePeers);
        Assert.Equal(1, o.KnownPeers);
        Assert.Equal(0, o.Unconfirmed);
        Assert.Equal(0, o.CheckResend(100));
        Assert.Empty(Take(o, 100));
    }

    [Fact]
    public void An_idle_peer_keeps_a_higher_persisted_mark_from_a_late_ack()
    {
        var o = SentToA(1);
        AckFromA(o, 1, 1, 0, 1);
        // A resumed run's peer had persisted more of the previous process than this one sent.
        AckFromA(o, 4, 4, 0, 2);
        Assert.Equal(2, o.Enqueue(new RecordRequest("a", 0, T0), null));
        for (var i = 0; i < 3; i++) o.Enqueue(new RecordRequest("a", 0, T0), null);
        // Items up to the mark are not sent again; the batch carries the mark.
        Assert.Equal([new Sent("a", 5, 4, 1)], Take(o, 3));
    }
}
