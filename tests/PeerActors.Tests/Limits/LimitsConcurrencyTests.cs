namespace PeerActors.Tests.Limits;

public sealed class LimitsConcurrencyTests : LimitsTestBase
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Concurrent_storms_never_overcommit_and_return_to_zero(int seed)
    {
        // Tight limits so that many reservations are refused concurrently at every scope class.
        var big = L(streams: 1000, memory: 1 << 30);
        var cfg = Uniform(big) with
        {
            System = L(streams: 12, memory: 5000),
            Transient = L(streams: 6),
            PeerDefault = L(streams: 4, memory: 3000),
            ProtocolDefault = L(streams: 5),
            ProtocolPeerDefault = L(streams: 2),
            ServiceDefault = L(streams: 4, memory: 2000),
            ServicePeerDefault = L(streams: 2),
        };
        var c = Start(cfg);

        async Task Step(Random rnd, string peer)
        {
            var open = await c.OpenStreamAsync(peer, rnd.Next(2) == 0 ? Direction.Inbound : Direction.Outbound);
            if (!open.Ok) return;
            var s = open.Value!;
            if (rnd.Next(3) > 0 && (await c.SetProtocolAsync(s, StormProtocols[rnd.Next(StormProtocols.Length)])).Ok && rnd.Next(2) == 0)
                await c.SetServiceAsync(s, StormServices[rnd.Next(StormServices.Length)]);
            if (rnd.Next(2) == 0)
                await c.ReserveMemoryAsync(s.Ref, rnd.Next(1, 1500), (byte)rnd.Next(256));
            await Task.Yield();
            Assert.True((await c.CloseAsync(s.Ref)).Ok);
        }

        await RunStormNeverOverCommitting(c, cfg, seed, Step);
    }
}
