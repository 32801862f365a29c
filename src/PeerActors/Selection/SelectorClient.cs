using PeerActors.Hosting;

namespace PeerActors.Selection;

/// <summary>Typed client of the selector actor (Ask with a timeout).</summary>
/// <param name="selector">The selector (e.g. from the ActorRegistry under <see cref="SelectorKey"/>).</param>
/// <param name="timeout">Ask timeout; null = 10 s.</param>
public sealed class SelectorClient(IActorRef selector, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(10);

    /// <summary>The selector actor.</summary>
    public IActorRef Selector { get; } = selector ?? throw new ArgumentNullException(nameof(selector));

    /// <summary>The client of the selector registered by <c>WithPeerActorsSelector</c> in <paramref name="system"/>.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="timeout">Ask timeout.</param>
    /// <returns>The client.</returns>
    /// <exception cref="Akka.Hosting.MissingActorRegistryEntryException">No selector is registered.</exception>
    public static SelectorClient For(ActorSystem system, TimeSpan? timeout = null) =>
        new(ActorRegistry.For(system).Get<SelectorKey>(), timeout);

    /// <summary>Ranks peers (SPEC §3).</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The ranked peers with scores and inputs.</returns>
    /// <exception cref="InvalidInputException">The selector rejected a field.</exception>
    /// <exception cref="Akka.Actor.AskTimeoutException">No answer within the timeout.</exception>
    public async Task<SelectPeersReply> SelectAsync(SelectPeers query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var reply = await Selector.Ask<object>(query, _timeout, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            SelectPeersReply r => r,
            SelectorRejected rej => throw new InvalidInputException(rej.Field, rej.Message),
            _ => throw new InvalidOperationException($"unexpected selector reply {reply.GetType().Name}"),
        };
    }

    /// <summary>The SPEC §3 summary.</summary>
    /// <param name="now">Instant; null = the selector node's clock.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The summary.</returns>
    public async Task<SelectionSummary> SummaryAsync(DateTimeOffset? now = null, CancellationToken cancellationToken = default)
    {
        var reply = await Selector.Ask<SelectionSummaryReply>(new GetSelectionSummary(now), _timeout, cancellationToken).ConfigureAwait(false);
        return reply.Summary;
    }

    /// <summary>Runs the journal bootstrap now (wakes every peer in the journal so it publishes its inputs).</summary>
    /// <param name="timeout">How long to wait for it to finish.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many peers were woken, or why it could not run.</returns>
    public Task<JournalBootstrapDone> BootstrapFromJournalAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Selector.Ask<JournalBootstrapDone>(BootstrapFromJournal.Instance, timeout, cancellationToken);
}
