using System.Diagnostics.Metrics;

namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Optional <see cref="IResourceManagerObserver"/> publishing System.Diagnostics.Metrics counters
/// <c>rcmgr_allowed_resources</c> and <c>rcmgr_blocked_resources</c> (rcmgr's metric name) tagged with
/// <c>resource</c> (memory/stream/connection/fd), <c>scope</c> (scope class) and, for blocks, <c>dir</c>.
/// The <see cref="Meter"/> is injected and owned by the caller.
/// </summary>
public sealed class MeterResourceObserver : IResourceManagerObserver
{
    private readonly Counter<long> _allowed;
    private readonly Counter<long> _blocked;

    /// <summary>Creates the two counters on <paramref name="meter"/>.</summary>
    public MeterResourceObserver(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _allowed = meter.CreateCounter<long>("rcmgr_allowed_resources", description: "Resource reservations allowed, by resource and scope class");
        _blocked = meter.CreateCounter<long>("rcmgr_blocked_resources", description: "Resource reservations blocked, by resource, refusing scope class and direction");
    }

    /// <inheritdoc />
    public void OnAllowed(ResourceKind resource, ScopeClass scopeClass) =>
        _allowed.Add(1, new KeyValuePair<string, object?>("resource", Label(resource)), new KeyValuePair<string, object?>("scope", scopeClass.ToString()));

    /// <inheritdoc />
    public void OnBlocked(ResourceLimitExceededException refusal) =>
        _blocked.Add(1,
            new KeyValuePair<string, object?>("resource", Label(refusal.Resource)),
            new KeyValuePair<string, object?>("scope", refusal.ScopeClass.ToString()),
            new KeyValuePair<string, object?>("dir", refusal.Direction?.ToString() ?? ""));

    private static string Label(ResourceKind r) => r switch
    {
        ResourceKind.Memory => "memory",
        ResourceKind.Stream => "stream",
        ResourceKind.Connection => "connection",
        _ => "fd",
    };
}
