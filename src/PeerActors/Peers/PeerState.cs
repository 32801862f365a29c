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

    // Where the current flush window starts (see TakeWindow).
    private long _logMark;
    private readonly List<string> _addedProtocols = [];
    private readonly List<string> _addedServices = [];

    /// <summary>Adds a protocol tag; true when it is new (it then belongs to the current window).</summary>
    public bool AddProtocol(string protocol)
    {
        if (!Protocols.Add(protocol)) return false;
        _addedProtocols.Add(protocol);
        return true;
    }

    /// <summary>Adds a service tag; true when it is new (it then belongs to the current window).</summary>
    public bool AddService(string service)
    {
        if (!Services.Add(service)) return false;
        _addedServices.Add(service);
        return true;
    }

    /// <summary>
    /// What changed since the last window (statistics, log window, bandwidth window, new tags), and starts the next one;
    /// null when the change cannot be expressed as a window (events committed in it were already compacted away):
    /// persist <see cref="ToData"/> instead.
    /// </summary>
    public PeerWindowState? TakeWindow()
    {
        var log = Log.TakeWindow(_logMark);
        var bandwidth = Bandwidth.TakeWindow();
        var window = log is null || Stats is null
            ? null
            : new PeerWindowState(Stats.ToState(), log, bandwidth, _addedProtocols.ToArray(), _addedServices.ToArray());
        ResetWindow();
        return window;
    }

    /// <summary>Starts a new window here (after recovery, and after a critical event: its effects are persisted by it).</summary>
    public void ResetWindow()
    {
        _logMark = Log.CommitCount;
        Bandwidth.TakeWindow();
        _addedProtocols.Clear();
        _addedServices.Clear();
    }

    /// <summary>Applies a persisted window on the state it was taken from (recovery).</summary>
    public void ApplyWindow(PeerWindowState window)
    {
        Stats = PeerStats.FromState(window.Stats, _settings.StatsOptions);
        Log.ApplyWindow(window.Log);
        Bandwidth.ApplyWindow(window.Bandwidth);
        Protocols.UnionWith(window.AddedProtocols);
        Services.UnionWith(window.AddedServices);
    }
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
            case ObservationsDelta { Window: { } w }:
                ApplyWindow(w);
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
