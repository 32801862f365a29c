namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Limits as written by an operator (rcmgr <c>PartialLimitConfig</c>): every value may be default, in which case
/// <see cref="Build"/> takes it from the scaled defaults. Serialised by <see cref="LimitConfigJson"/> in rcmgr's
/// JSON format (keys in this declaration order, default values and empty maps omitted).
/// </summary>
public sealed class PartialLimitConfig
{
    /// <summary>System scope.</summary>
    public ResourceLimits System { get; set; }

    /// <summary>Transient scope.</summary>
    public ResourceLimits Transient { get; set; }

    /// <summary>Allowlisted system scope.</summary>
    public ResourceLimits AllowlistedSystem { get; set; }

    /// <summary>Allowlisted transient scope.</summary>
    public ResourceLimits AllowlistedTransient { get; set; }

    /// <summary>Default for service scopes.</summary>
    public ResourceLimits ServiceDefault { get; set; }

    /// <summary>Per service name.</summary>
    public Dictionary<string, ResourceLimits> Service { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default for service-peer scopes.</summary>
    public ResourceLimits ServicePeerDefault { get; set; }

    /// <summary>Per service name, for its service-peer scopes.</summary>
    public Dictionary<string, ResourceLimits> ServicePeer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default for protocol scopes.</summary>
    public ResourceLimits ProtocolDefault { get; set; }

    /// <summary>Per protocol id.</summary>
    public Dictionary<string, ResourceLimits> Protocol { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default for protocol-peer scopes.</summary>
    public ResourceLimits ProtocolPeerDefault { get; set; }

    /// <summary>Per protocol id, for its protocol-peer scopes.</summary>
    public Dictionary<string, ResourceLimits> ProtocolPeer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default for peer scopes.</summary>
    public ResourceLimits PeerDefault { get; set; }

    /// <summary>Per peer id.</summary>
    public Dictionary<string, ResourceLimits> Peer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Connection scopes.</summary>
    public ResourceLimits Conn { get; set; }

    /// <summary>Stream scopes.</summary>
    public ResourceLimits Stream { get; set; }

    /// <summary>
    /// Applies this config over <paramref name="defaults"/> (rcmgr <c>PartialLimitConfig.Build</c>): every default
    /// value comes from <paramref name="defaults"/>; a map entry absent from the defaults' map falls back to the
    /// (already built) <c>*Default</c> limit.
    /// </summary>
    public ConcreteLimitConfig Build(ConcreteLimitConfig defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var serviceDefault = ServiceDefault.Build(defaults.ServiceDefault);
        var servicePeerDefault = ServicePeerDefault.Build(defaults.ServicePeerDefault);
        var protocolDefault = ProtocolDefault.Build(defaults.ProtocolDefault);
        var protocolPeerDefault = ProtocolPeerDefault.Build(defaults.ProtocolPeerDefault);
        var peerDefault = PeerDefault.Build(defaults.PeerDefault);
        return new ConcreteLimitConfig
        {
            System = System.Build(defaults.System),
            Transient = Transient.Build(defaults.Transient),
            AllowlistedSystem = AllowlistedSystem.Build(defaults.AllowlistedSystem),
            AllowlistedTransient = AllowlistedTransient.Build(defaults.AllowlistedTransient),
            ServiceDefault = serviceDefault,
            ServicePeerDefault = servicePeerDefault,
            ProtocolDefault = protocolDefault,
            ProtocolPeerDefault = protocolPeerDefault,
            PeerDefault = peerDefault,
            Conn = Conn.Build(defaults.Conn),
            Stream = Stream.Build(defaults.Stream),
            Service = BuildMap(Service, defaults.Service, serviceDefault),
            ServicePeer = BuildMap(ServicePeer, defaults.ServicePeer, servicePeerDefault),
            Protocol = BuildMap(Protocol, defaults.Protocol, protocolDefault),
            ProtocolPeer = BuildMap(ProtocolPeer, defaults.ProtocolPeer, protocolPeerDefault),
            Peer = BuildMap(Peer, defaults.Peer, peerDefault),
        };
    }

    private static Dictionary<string, BaseLimit> BuildMap(
        Dictionary<string, ResourceLimits> defined, IReadOnlyDictionary<string, BaseLimit> defaults, BaseLimit fallback)
    {
        var result = new Dictionary<string, BaseLimit>(defaults, StringComparer.Ordinal);
        foreach (var (k, l) in defined)
            result[k] = l.Build(defaults.TryGetValue(k, out var d) ? d : fallback);
        return result;
    }

    /// <summary>Parses rcmgr-format JSON; see <see cref="LimitConfigJson.Parse"/>.</summary>
    /// <exception cref="Validation.InvalidInputException">Malformed JSON or an invalid value; <c>Field</c> names the key path.</exception>
    public static PartialLimitConfig FromJson(string json) => LimitConfigJson.Parse(json);

    /// <summary>Serialises in rcmgr's format; see <see cref="LimitConfigJson.Write(PartialLimitConfig, bool)"/>.</summary>
    public string ToJson(bool indented = false) => LimitConfigJson.Write(this, indented);
}
