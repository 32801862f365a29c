namespace PeerActors.Node.Hosting;

/// <summary>
/// A host lifetime that does not handle SIGINT / SIGTERM (the default console lifetime does). Used by a batch command's
/// node host (<c>replay</c> handles the signals itself, so that it stops sending first and then stops the node
/// gracefully, instead of the node stopping underneath it) and by the management endpoint's private Kestrel host (its
/// life is the node's: it stops when the node's hosted service stops, not on its own when a signal arrives).
/// </summary>
internal sealed class SignalFreeHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
