namespace PeerActors.Node.Configuration;

/// <summary>
/// Values given on the command line (highest precedence). <c>null</c> = not given. Each maps to one
/// key of <c>hocon.conf</c> (see <see cref="NodeSettingsLoader.FlagKeys"/>).
/// </summary>
public sealed record NodeOverrides
{
    /// <summary><c>--config</c>: overlay <c>embedded</c>, <c>cluster</c> or a path to a <c>.conf</c> file.</summary>
    public string? Config { get; init; }

    /// <summary><c>--data-dir</c> → <c>peeractors.data-dir</c>.</summary>
    public string? DataDir { get; init; }

    /// <summary><c>--hostname</c> → <c>peeractors.node.hostname</c>.</summary>
    public string? Hostname { get; init; }

    /// <summary><c>--port</c> → <c>peeractors.node.port</c>.</summary>
    public int? Port { get; init; }

    /// <summary><c>--seed</c> (repeatable) → <c>peeractors.node.seed-nodes</c> (replaces the whole list).</summary>
    public IReadOnlyList<string>? Seeds { get; init; }

    /// <summary><c>--role</c> → <c>peeractors.node.role</c>.</summary>
    public string? Role { get; init; }

    /// <summary><c>--connection-string</c> → <c>peeractors.persistence.connection-string</c>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary><c>--endpoint</c> → <c>peeractors.management.endpoint</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary><c>--token</c> → <c>peeractors.management.token</c>.</summary>
    public string? Token { get; init; }

    /// <summary>Extra <c>key=value</c> pairs (<c>--set peeractors.persistence.flush-interval=2s</c>); keys must exist in <c>hocon.conf</c>.</summary>
    public IReadOnlyList<string>? Set { get; init; }
}
