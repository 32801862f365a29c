using System.Globalization;
using System.Net;
using PeerActors.Core.Validation;

namespace PeerActors.Node.Management;

/// <summary>
/// Settings of the node's management endpoint (command endpoint + Prometheus <c>/metrics</c>, one Kestrel listener).
/// Configuration keys: <see cref="BindKey"/>, <see cref="TokenKey"/>, <see cref="MetricsEnabledKey"/>.
/// </summary>
public sealed record ManagementOptions
{
    /// <summary>Configuration key of <see cref="Bind"/>.</summary>
    public const string BindKey = "peeractors.management.bind";
    /// <summary>Configuration key of <see cref="Token"/>.</summary>
    public const string TokenKey = "peeractors.management.token";
    /// <summary>Configuration key of <see cref="MetricsEnabled"/>.</summary>
    public const string MetricsEnabledKey = "peeractors.management.metrics";
    /// <summary>Default bind address: loopback, port 9110.</summary>
    public const string DefaultBind = "127.0.0.1:9110";

    /// <summary>
    /// Listen address "ip:port" ("127.0.0.1:9110", "[::1]:9110", "0.0.0.0:9110", "localhost:9110").
    /// Port 0 picks a free port; read it from <see cref="ManagementEndpoint.BoundEndPoint"/>.
    /// </summary>
    public string Bind { get; init; } = DefaultBind;

    /// <summary>
    /// Shared secret clients send as <c>Authorization: Bearer &lt;token&gt;</c>. Required when <see cref="Bind"/> is
    /// not a loopback address. When set, every command request must carry it (401 otherwise).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Serve Prometheus text at <c>GET /metrics</c> on the same listener (default true).</summary>
    public bool MetricsEnabled { get; init; } = true;

    /// <summary>Timeout for commands that ask actors (sharding stats), default 5 s.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when a non-empty token is configured.</summary>
    public bool HasToken => !string.IsNullOrEmpty(Token);

    /// <summary>
    /// Parses <see cref="Bind"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">Field <see cref="BindKey"/>: not "ip:port" with port 0..65535.</exception>
    public IPEndPoint ParseBind()
    {
        var text = Bind?.Trim() ?? "";
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
        throw new InvalidInputException(BindKey, $"{BindKey} must be 'ip:port' (e.g. 127.0.0.1:9110), got '{Bind}'");
    }

    private static bool HasExplicitPort(string text) =>
        text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1;

    /// <summary>True when the bind address is loopback (127.0.0.0/8, ::1).</summary>
    public bool IsLoopback => IPAddress.IsLoopback(ParseBind().Address);

    /// <summary>
    /// <c>/metrics</c> requires the token only when the endpoint is bound to a non-loopback address
    /// (Prometheus scrapes without credentials locally; off-host, the same bearer token protects it).
    /// </summary>
    public bool MetricsRequireToken => !IsLoopback;

    /// <summary>
    /// Checks the settings; called by <see cref="ManagementServiceCollectionExtensions.AddPeerActorsManagement"/>
    /// and again when the endpoint starts.
    /// </summary>
    /// <exception cref="InvalidInputException">Bad <see cref="BindKey"/>, or <see cref="TokenKey"/> missing for a non-loopback bind.</exception>
    public void Validate()
    {
        var ep = ParseBind();
        if (!IPAddress.IsLoopback(ep.Address) && !HasToken)
            throw new InvalidInputException(TokenKey,
                $"{TokenKey} is required when the management endpoint binds to a non-loopback address ({BindKey} = {Bind})");
        if (AskTimeout <= TimeSpan.Zero)
            throw new InvalidInputException("peeractors.management.ask-timeout", "ask timeout must be positive");
    }
}
