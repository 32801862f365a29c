namespace PeerActors.Node.Management;

/// <summary>
/// Settings of the node's management endpoint (command endpoint + Prometheus <c>/metrics</c>, one Kestrel listener).
/// Configuration keys: <see cref="EndpointKey"/>, <see cref="TokenKey"/>, <see cref="MetricsEnabledKey"/>.
/// </summary>
public sealed record ManagementOptions
{
    /// <summary>Configuration key of <see cref="Endpoint"/>.</summary>
    public const string EndpointKey = "peeractors.management.endpoint";
    /// <summary>Configuration key of <see cref="Token"/>.</summary>
    public const string TokenKey = "peeractors.management.token";
    /// <summary>Configuration key of <see cref="MetricsEnabled"/> (shared with the OpenTelemetry registration).</summary>
    public const string MetricsEnabledKey = "peeractors.metrics.enabled";
    /// <summary>Default bind address: loopback, port 4080.</summary>
    public const string DefaultEndpoint = "127.0.0.1:4080";

    /// <summary>
    /// Listen address "ip:port" ("127.0.0.1:4080", "[::1]:4080", "0.0.0.0:4080", "localhost:4080").
    /// Port 0 picks a free port; read it from <see cref="ManagementEndpoint.BoundEndPoint"/>.
    /// </summary>
    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>
    /// Shared secret clients send as <c>Authorization: Bearer &lt;token&gt;</c>. Required when <see cref="Endpoint"/> is
    /// not a loopback address. When set, every command request must carry it (401 otherwise).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Serve Prometheus text at <c>GET /metrics</c> on the same listener (default true).</summary>
    public bool MetricsEnabled { get; init; } = true;

    /// <summary>Timeout for commands that ask actors (sharding stats), default 5 s.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Options from the node's validated settings: <c>peeractors.management.endpoint</c>,
    /// <c>peeractors.management.token</c> (empty = none) and <c>peeractors.metrics.enabled</c>.
    /// </summary>
    public static ManagementOptions FromNodeSettings(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ManagementOptions
        {
            Endpoint = settings.ManagementEndpoint.ToString(),
            Token = string.IsNullOrEmpty(settings.ManagementToken) ? null : settings.ManagementToken,
            MetricsEnabled = settings.MetricsEnabled,
        };
    }

    /// <summary>True when a non-empty token is configured.</summary>
    public bool HasToken => !string.IsNullOrEmpty(Token);

    /// <summary>
    /// Parses <see cref="Endpoint"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">Field <see cref="EndpointKey"/>: not "ip:port" with port 0..65535.</exception>
    public IPEndPoint ParseEndpoint()
    {
        var text = Endpoint?.Trim() ?? "";
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            var portText = text["localhost:".Length..];
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
                return new IPEndPoint(IPAddress.Loopback, p);
        }
        else if (HasExplicitPort(text) && IPEndPoint.TryParse(text, out var ep))
        {
            return ep;
        }
        throw new InvalidInputException(EndpointKey, $"{EndpointKey} must be 'ip:port' (e.g. 127.0.0.1:4080), got '{Endpoint}'");
    }

    private static bool HasExplicitPort(string text) =>
        text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1;

    /// <summary>True when the bind address is loopback (127.0.0.0/8, ::1).</summary>
    public bool IsLoopback => IPAddress.IsLoopback(ParseEndpoint().Address);

    /// <summary>
    /// <c>/metrics</c> requires the token only when the endpoint is bound to a non-loopback address
    /// (Prometheus scrapes without credentials locally; off-host, the same bearer token protects it).
    /// </summary>
    public bool MetricsRequireToken => !IsLoopback;

    /// <summary>
    /// Checks the settings; called by <see cref="ManagementServiceCollectionExtensions.AddPeerActorsManagement(Microsoft.Extensions.DependencyInjection.IServiceCollection, ManagementOptions)"/>
    /// and again when the endpoint starts.
    /// </summary>
    /// <exception cref="InvalidInputException">Bad <see cref="EndpointKey"/>, or <see cref="TokenKey"/> missing for a non-loopback bind.</exception>
    public void Validate()
    {
        var ep = ParseEndpoint();
        if (!IPAddress.IsLoopback(ep.Address) && !HasToken)
            throw new InvalidInputException(TokenKey,
                $"{TokenKey} is required when the management endpoint binds to a non-loopback address ({EndpointKey} = {Endpoint})");
        if (AskTimeout <= TimeSpan.Zero)
            throw new InvalidInputException("peeractors.management.ask-timeout", "ask timeout must be positive");
    }
}
