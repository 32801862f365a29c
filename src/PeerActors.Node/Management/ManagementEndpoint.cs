namespace PeerActors.Node.Management;

/// <summary>
/// Runtime facts of the management endpoint (a DI singleton): the address Kestrel actually bound
/// (useful with port 0) once the hosted service has started.
/// </summary>
public sealed class ManagementEndpoint
{
    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The bound address, or null before start.</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    /// <summary>Base URL, e.g. http://127.0.0.1:4080/, or null before start.</summary>
    public Uri? BaseAddress => BoundEndPoint is null ? null : new Uri($"http://{BoundEndPoint}/");

    /// <summary>"host:port" as <c>peeractl --host</c> takes it, or null before start.</summary>
    public string? HostAndPort => BoundEndPoint?.ToString();

    /// <summary>Completes when the listener is bound.</summary>
    public Task<IPEndPoint> WhenBound => _bound.Task;

    internal void SetBound(IPEndPoint endPoint)
    {
        BoundEndPoint = endPoint;
        _bound.TrySetResult(endPoint);
    }
}
