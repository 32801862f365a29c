using System.Runtime.CompilerServices;
using PeerActors.Limits;
using Xunit;

namespace PeerActors.Tests.Limits;

/// <summary>The typed client's reply references.</summary>
public sealed class LimitsClientTests : LimitsTestBase
{
    [Fact]
    public void A_completed_call_leaves_nothing_registered_on_its_token()
    {
        // A replay passes one token to millions of calls; each completed call must become garbage while the token lives.
        var c = Start(Uniform(L()));
        using var cts = new CancellationTokenSource();
        var reply = Call(c, cts.Token);
        // Actors may keep their last message's sender until the next message: move them on.
        Call(c, cts.Token);
        for (var i = 0; i < 5 && reply.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(reply.IsAlive, "the token still references the completed call's task");
        GC.KeepAlive(cts);
    }

    [Fact]
    public async Task Cancelling_the_token_still_cancels_a_call_without_reply()
    {
        var c = new LimitsClient(CreateTestProbe().Ref); // never answers
        using var cts = new CancellationTokenSource();
        var call = c.SendAsync(new GetStat(ScopeRef.Named("system")), null, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Call(LimitsClient c, CancellationToken ct)
    {
        // Not async: a Debug build's state machine would keep the task in a hoisted local.
        var call = c.SendAsync(new GetStat(ScopeRef.Named("system")), null, ct);
        Assert.True(call.Wait(TimeSpan.FromSeconds(30)));
        Assert.IsType<ScopeStatReply>(call.Result);
        return new WeakReference(call);
    }
}
