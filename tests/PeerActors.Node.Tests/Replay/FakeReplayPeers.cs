using PeerActors.Core.Identity;
using PeerActors.Core.Stats;
using PeerActors.Node.Replay;
using PeerActors.Peers;
using PeerActors.Core.Errors;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// In-memory stand-in for the peer actors: records every message in send order and keeps just enough per-peer
/// state (requests, successes, ingress, channels, failures) to answer the queries the replay makes.
/// </summary>
internal sealed class FakeReplayPeers : IReplayPeers
{
    private readonly object _gate = new();
    private readonly Dictionary<string, State> _peers = new(StringComparer.Ordinal);

    public List<IPeerMessage> Sent { get; } = [];

    private sealed class State
    {
        public ulong Requests, Successes, Failures, Ingress, Flaps;
        public double SrttMs;
        public HashSet<string> Channels { get; } = new(StringComparer.Ordinal);
    }

    public void Tell(IPeerMessage message)
    {
        lock (_gate)
        {
            Sent.Add(message);
            Apply(message);
        }
    }

    public Task<object> AskAsync(IPeerMessage message, CancellationToken ct)
    {
        lock (_gate)
        {
            Sent.Add(message);
            return Task.FromResult(Answer(message));
        }
    }

    private State Get(string id) => _peers.TryGetValue(id, out var s) ? s : _peers[id] = new State();

    private void Apply(IPeerMessage m)
    {
        switch (m)
        {
            case RecordRequest r: Get(r.PeerId).Requests++; break;
            case RecordSuccess r:
            {
                var s = Get(r.PeerId);
                s.Successes++;
                s.SrttMs = s.SrttMs == 0 ? r.RttMs : 0.875 * s.SrttMs + 0.125 * r.RttMs;
                break;
            }
            case RecordFailure r: Get(r.PeerId).Failures++; break;
            case RecordBytes r: Get(r.EntityId).Ingress += (ulong)r.Bytes; break;
            case PeerActors.Peers.PeerOnline r: Get(r.PeerId).Flaps++; break;
            case PeerActors.Peers.PeerOffline r: Get(r.PeerId).Flaps++; break;
            case PeerServes r: Get(r.PeerId); break;
        }
    }

    private object Answer(IPeerMessage m)
    {
        switch (m)
        {
            case OpenChannel c:
                return Get(c.PeerId).Channels.Add(c.ChannelId)
                    ? new CommandAck(c.PeerId, Durability.Critical)
                    : new CommandRejected(c.PeerId, ErrorCodes.ChannelExists, null, "exists");
            case GetFlapCount f:
                return new FlapCountReply(f.PeerId, (long)(_peers.GetValueOrDefault(f.PeerId)?.Flaps ?? 0), null);
            case GetChannelUptime u:
                return new ChannelUptimeReply(u.PeerId, u.ChannelId, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            case GetPeerStats g:
            {
                if (!_peers.TryGetValue(g.PeerId, out var s))
                    return new CommandRejected(g.PeerId, ErrorCodes.PeerNotFound, null, "peer not found in event store");
                var now = g.Now ?? DateTimeOffset.UnixEpoch;
                var state = new PeerStatsState
                {
                    PeerId = PeerId.Parse(g.PeerId),
                    ConnectedAt = now,
                    RequestsSent = s.Requests,
                    Successes = s.Successes,
                    Failures = s.Failures,
                    SrttMs = s.SrttMs,
                    BytesReceived = s.Ingress,
                };
                var rate = s.Requests == 0 ? 0.5 : (double)s.Successes / s.Requests;
                return new PeerStatsReply(state, now, rate, 0, 0.6 * rate + 0.3 * (s.SrttMs <= 0 ? 0.5 : Math.Min(1, 500 / (s.SrttMs + 50))) + 0.1,
                    0, 0, false, 0, 0, 1, false, (long)s.Flaps, null, s.Channels.Count, s.Ingress, 0);
            }
            default:
                Apply(m);
                return new CommandAck(m.EntityId, Durability.HighRate);
        }
    }
}
