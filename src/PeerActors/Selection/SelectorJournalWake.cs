using Akka;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using PeerActors.Peers;

namespace PeerActors.Selection;

/// <summary>
/// Wakes peer actors so they publish their score inputs (<see cref="PublishScoreInputs"/>), for the selector's start-up:
/// either every peer of the journal (no snapshot) or only those with events after a snapshot's offset (catch-up).
/// </summary>
/// <remarks>
/// Why bounded: waking is a recovery per peer (~6 ms), and Akka.Persistence lets only
/// <c>max-concurrent-recoveries</c> run at once. Sending wake-ups faster than recoveries finish (the old fixed-rate
/// throttle) queued thousands of recoveries, and a user query to a sleeping peer (<c>peer show</c>) waited behind all
/// of them (~100 s after a node start). Here at most <see cref="SelectorOptions.WakeMaxInFlight"/> wake-ups are
/// outstanding: each is followed by a <see cref="GetFlapCount"/> to the same peer, answered once its recovery is done,
/// and only then is the next peer woken. A query therefore waits behind at most that many recoveries.
/// </remarks>
internal static class SelectorJournalWake
{
    /// <summary>Peer ids (persistence ids with the peer prefix, prefix stripped, valid ids only) of the whole journal.</summary>
    public static Source<string, NotUsed> AllPeers(ICurrentPersistenceIdsQuery journal, string prefix) =>
        PeerIds(journal.CurrentPersistenceIds(), prefix);

    /// <summary>Peer ids with at least one event after <paramref name="offset"/> (each once), in journal order.</summary>
    public static Source<string, NotUsed> ChangedSince(ICurrentAllEventsQuery journal, long offset, string prefix)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // One source per run: the set lives as long as this catch-up.
        return PeerIds(journal.CurrentAllEvents(Offset.Sequence(offset)).Select(e => e.PersistenceId), prefix)
            .Where(seen.Add);
    }

    private static Source<string, NotUsed> PeerIds(Source<string, NotUsed> persistenceIds, string prefix) =>
        persistenceIds
            .Where(pid => pid.StartsWith(prefix, StringComparison.Ordinal) && pid.Length > prefix.Length)
            .Select(pid => pid[prefix.Length..])
            .Where(id => PeerId.TryParse(id, out _));

    /// <summary>
    /// Wakes every peer of <paramref name="peers"/> through <paramref name="region"/>, at most
    /// <see cref="SelectorOptions.WakeMaxInFlight"/> at once and <see cref="SelectorOptions.BootstrapWakeRate"/> per
    /// second; <paramref name="woken"/> counts the peers whose recovery is over (or timed out).
    /// </summary>
    /// <returns>Completes when every peer was woken; faults when the source fails (e.g. the read journal).</returns>
    public static Task Run(Source<string, NotUsed> peers, IActorRef region, SelectorOptions options, IMaterializer materializer, WakeCounter woken)
    {
        var rate = options.BootstrapWakeRate;
        var timeout = options.WakeTimeout;
        return peers
            .Throttle(rate, TimeSpan.FromSeconds(1), rate, ThrottleMode.Shaping)
            .SelectAsyncUnordered(options.WakeMaxInFlight, async id =>
            {
                region.Tell(new PublishScoreInputs(id), ActorRefs.NoSender);
                try
                {
                    // Any answer (stats or peer-not-found) means the peer's recovery is over and its publish happened.
                    await region.Ask<object>(new GetFlapCount(id), timeout).ConfigureAwait(false);
                }
                catch (AskTimeoutException)
                {
                    // A slow or lost peer must not stall the start-up; it publishes when it finishes anyway.
                }
                woken.Increment();
                return NotUsed.Instance;
            })
            .RunWith(Sink.Ignore<NotUsed>(), materializer);
    }
}

/// <summary>Thread-safe count of woken peers (written by the wake stream, read by the selector's status answer).</summary>
internal sealed class WakeCounter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);
}
