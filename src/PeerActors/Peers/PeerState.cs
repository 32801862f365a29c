using PeerActors.Core.Bandwidth;
using PeerActors.Core.Fitness;
using PeerActors.Core.Identity;
using PeerActors.Core.Stats;

namespace PeerActors.Peers;

/// <summary>Mutable in-memory state of one peer actor; null <see cref="Stats"/> means "no history".</summary>
internal sealed class PeerState
{
    private readonly PeerActorSettings _settings;

    public PeerState(PeerActorSettings settings)
    {
        _settings = settings;
        Log = new PeerLog(settings.LogOptions);
        Bandwidth = new PeerBandwidth(settings.BandwidthOptions);
    }

    public PeerStats? Stats { get; private set; }
    public PeerLog Log { get; private set; }
    public PeerBandwidth Bandwidth { get; private set; }
    public SortedSet<string> Protocols { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Services { get; } = new(StringComparer.Ordinal);

    public bool Exists => Stats is not null;

    /// <summary>The latest ban (possibly expired), or null; not part of <see cref="PeerStateData"/> (see <see cref="PeerSnapshot.Ban"/>).</summary>
    public Core.Bans.PeerBan? Ban { get; set; }

    /// <summary>Creates the stats on first sight (connected_at = first observation).</summary>
    public PeerStats EnsureCreated(PeerId id, DateTimeOffset at) => Stats ??= new PeerStats(id, at, _settings.StatsOptions);

    public PeerStateData ToData() => new(
        Stats!.ToState(), Log.ToState(), Bandwidth.ToState(), Protocols.ToArray(), Services.ToArray());

    public void Load(PeerStateData data)
    {
        Stats = PeerStats.FromState(data.Stats, _settings.StatsOptions);
        Log = PeerLog.FromState(data.Log, _settings.LogOptions);
        Bandwidth = PeerBandwidth.FromState(data.Bandwidth, _settings.BandwidthOptions);
        Protocols.Clear();
        Protocols.UnionWith(data.Protocols);
        Services.Clear();
        Services.UnionWith(data.Services);
    }

    /// <summary>Applies a persisted critical event (live after persist, or on recovery).</summary>
    public void Apply(PeerId id, IPeerEvent e)
    {
        switch (e)
        {
            case ObservationsFlushed f:
                Load(f.State);
                break;
            case PaymentRecorded p:
                EnsureCreated(id, p.ObservedAt).RecordPayment(p.AmountSat);
                break;
            case ReceiptRecorded r:
                EnsureCreated(id, r.ObservedAt).RecordReceipt(r.AmountSat);
                break;
            case PaymentDefaultRecorded d:
                EnsureCreated(id, d.ObservedAt).RecordPaymentDefault(d.ObservedAt);
                break;
            case ChannelOpened o:
                EnsureCreated(id, o.ObservedAt);
                Log.AddChannel(o.ChannelId, o.ObservedAt);
                break;
            case ChannelClosed c:
                EnsureCreated(id, c.ObservedAt);
                Log.RemoveChannel(c.ChannelId);
                break;
            case PeerBanned b:
                EnsureCreated(id, b.ObservedAt);
                Ban = new Core.Bans.PeerBan(b.Until, b.Reason, b.ObservedAt);
                break;
            case PeerUnbanned:
                Ban = null;
                break;
        }
    }
}
