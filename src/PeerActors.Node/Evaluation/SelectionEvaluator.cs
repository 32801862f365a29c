using PeerActors.Core.Identity;
using PeerActors.Core.Selection;
using PeerActors.Core.Stats;
using PeerActors.Node.Replay;

namespace PeerActors.Node.Evaluation;

/// <summary>Settings of one evaluation run.</summary>
public sealed record SelectionEvaluationOptions
{
    /// <summary>Strategies to score (default: all eight of <see cref="SelectionStrategy"/>); the naive baseline and random are always scored.</summary>
    public IReadOnlyList<SelectionStrategy> Strategies { get; init; } = Enum.GetValues<SelectionStrategy>();

    /// <summary>Statistics constants of the in-process peers (the throughput half-life lives here).</summary>
    public PeerStatsOptions StatsOptions { get; init; } = PeerStatsOptions.Default;

    /// <summary>Settings of the Throughput strategy (prior strength).</summary>
    public ThroughputOptions Throughput { get; init; } = ThroughputOptions.Default;

    /// <summary>Seed of the Random strategy and of the random baseline. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A receiver counts when its pick is at least this fraction of its best sender's throughput. Default 0.8.</summary>
    public double GoodFraction { get; init; } = 0.8;
}

/// <summary>The figures of one ranking.</summary>
/// <param name="Name">Strategy name, or <c>naive</c> / <c>random</c> for the baselines.</param>
/// <param name="Precision">Fraction of evaluated receivers whose top-ranked known sender delivered ≥ GoodFraction of the best one's throughput on the test data.</param>
/// <param name="Hits">Receivers counted as good picks.</param>
/// <param name="Spearman">Mean over evaluated receivers of Spearman ρ between the ranking of the receiver's known senders
/// (equal ordering keys share their rank) and their pair throughput on the test data; receivers where ρ is undefined
/// (the ranking ties all their senders, or equal throughputs) are left out; null when it is undefined for every receiver.</param>
/// <param name="SpearmanReceivers">Receivers in the <paramref name="Spearman"/> mean.</param>
/// <param name="SenderSpearman">Spearman ρ between the ranking and each known sender's test throughput Σ bytes / Σ ms
/// (bytes/ms) over all its test sessions (one point per sender); null when undefined. This is issue #14's
/// "Spearman(score, D+1 throughput)", the measure its ≥ 0.75 target is stated in.</param>
public sealed record SelectionEvaluationRow(string Name, double Precision, int Hits, double? Spearman, int SpearmanReceivers, double? SenderSpearman);

/// <summary>The result of <see cref="SelectionEvaluator.Evaluate"/>.</summary>
/// <param name="TrainSessions">Sessions replayed into the statistics.</param>
/// <param name="TestSessions">Sessions scored.</param>
/// <param name="TrainSenders">Distinct senders in the training sessions (the ranked peers).</param>
/// <param name="TrainEnd">Instant of the ranking (the last training timestamp).</param>
/// <param name="ReceiversEvaluated">Test receivers with at least two senders known from training (the denominator of precision).</param>
/// <param name="SendersEvaluated">Known senders with a test throughput (the points of Spearman).</param>
/// <param name="PopulationMeanBytesPerMs">Pooled population mean m of the Throughput strategy at the ranking instant.</param>
/// <param name="Rows">One row per strategy, then <c>naive</c> and <c>random</c>.</param>
public sealed record SelectionEvaluationResult(
    int TrainSessions, int TestSessions, int TrainSenders, DateTimeOffset TrainEnd,
    int ReceiversEvaluated, int SendersEvaluated, double PopulationMeanBytesPerMs,
    IReadOnlyList<SelectionEvaluationRow> Rows);

/// <summary>
/// Measures whether a selection strategy picks peers that deliver later (issue #14). The training sessions are replayed
/// in process through Core — one <see cref="PeerStats"/> per sender fed with the replay's exact chunk mapping
/// (<see cref="ReplayPlanner"/>: per chunk RecordRequest(0) and RecordSuccess(total_timespent/cnt ms, bytes) at the
/// chunk's instant), then a <see cref="PeerRankingIndex"/> ranks all senders at the training end (fairness off, N = all).
/// No node, no limit actors: the limit refusals of <c>replay</c> (RecordFailure) do not happen here.
/// </summary>
/// <remarks>
/// Scores on the test sessions, per ranking:
/// <list type="bullet">
/// <item><b>precision</b>: for each test receiver with ≥ 2 senders known from training (and a defined pair
/// throughput Σ total_bytes / Σ total_timespent over the pair's test sessions), did its top-ranked known sender
/// deliver ≥ 80 % of the best of them;</item>
/// <item><b>Spearman</b>: per evaluated receiver, ρ between the ranking of its known senders and their pair
/// throughputs, averaged over receivers (and, as a second figure, ρ over senders of the ranking against each sender's
/// whole test throughput).</item>
/// </list>
/// Baselines: <c>naive</c> ranks senders by their training throughput Σ total_bytes / Σ total_timespent (ties by id);
/// <c>random</c> is a seeded uniform shuffle.
/// </remarks>
public static class SelectionEvaluator
{
    /// <summary>Name of the naive baseline row.</summary>
    public const string NaiveName = "naive";

    /// <summary>Name of the random baseline row.</summary>
    public const string RandomName = "random";

    /// <summary>Splits sessions at <c>first min_ts + hours</c>: training = sessions ended by the cut, test = sessions started at or after it (sessions spanning the cut are dropped).</summary>
    /// <param name="sessions">All sessions of the file(s).</param>
    /// <param name="hours">Hours after the first session start (&gt; 0).</param>
    /// <returns>The two parts.</returns>
    public static (IReadOnlyList<SessionRecord> Train, IReadOnlyList<SessionRecord> Test) Split(IReadOnlyList<SessionRecord> sessions, double hours)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        if (!(hours > 0) || double.IsInfinity(hours)) throw new ArgumentOutOfRangeException(nameof(hours), hours, "must be a finite number > 0");
        if (sessions.Count == 0) return ([], []);
        var cut = sessions.Min(s => s.MinTs) + TimeSpan.FromHours(hours);
        return (sessions.Where(s => s.MaxTs <= cut).ToList(), sessions.Where(s => s.MinTs >= cut).ToList());
    }

    /// <summary>Builds each training sender's statistics in process (the replay's chunk mapping, in trace-time order).</summary>
    /// <param name="train">Training sessions.</param>
    /// <param name="statsOptions">Statistics constants.</param>
    /// <returns>The senders' final states and the last training instant.</returns>
    public static (IReadOnlyList<PeerStatsState> Senders, DateTimeOffset End) Train(IReadOnlyList<SessionRecord> train, PeerStatsOptions statsOptions)
    {
        var stats = new Dictionary<string, PeerStats>(StringComparer.Ordinal);
        var end = DateTimeOffset.MinValue;
        foreach (var step in ReplayPlanner.Plan(train).Steps)
        {
            if (step.At > end) end = step.At;
            switch (step)
            {
                case SessionOpened o:
                    if (!stats.ContainsKey(o.SenderId))
                        stats[o.SenderId] = new PeerStats(PeerId.Parse(o.SenderId, "pid2"), o.At, statsOptions);
                    break;
                case ChunkTransferred c:
                    var s = stats[c.SenderId];
                    s.RecordRequest(0);
                    s.RecordSuccess(c.RttMs, c.Bytes, c.At);
                    break;
            }
        }
        return (stats.Values.Select(s => s.ToState()).ToList(), end);
    }

    /// <summary>Trains on <paramref name="train"/>, ranks, and scores every ranking on <paramref name="test"/>.</summary>
    /// <param name="train">Training sessions (non-empty).</param>
    /// <param name="test">Test sessions.</param>
    /// <param name="options">Settings.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="ArgumentException">No training session.</exception>
    public static SelectionEvaluationResult Evaluate(IReadOnlyList<SessionRecord> train, IReadOnlyList<SessionRecord> test, SelectionEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Count == 0) throw new ArgumentException("no training sessions", nameof(train));

        var (senders, end) = Train(train, options.StatsOptions);
        var index = new PeerRankingIndex(new Random(options.Seed), options.Throughput);
        foreach (var s in senders) index.Upsert(s);

        var scoring = TestScoring.From(test, senders.Select(s => s.PeerId.Value).ToHashSet(StringComparer.Ordinal));
        var rows = new List<SelectionEvaluationRow>();
        foreach (var strategy in options.Strategies.Distinct())
        {
            var result = index.Select(new SelectionQuery
            {
                Strategy = strategy, Count = senders.Count, Fairness = false, RandomSeed = options.Seed,
            }, end);
            rows.Add(scoring.Score(strategy.ToString(), RankedOrder(strategy, result), options.GoodFraction));
        }
        rows.Add(scoring.Score(NaiveName, NaiveOrder(train), options.GoodFraction));
        rows.Add(scoring.Score(RandomName, RandomOrder(senders, options.Seed), options.GoodFraction));

        return new SelectionEvaluationResult(train.Count, test.Count, senders.Count, end,
            scoring.Receivers, scoring.Senders, index.ThroughputMean, rows);
    }

    /// <summary>Tie groups of a ranking: each peer id with a 0-based group number (equal ordering keys share a group).</summary>
    internal static IReadOnlyList<(string Id, int Group)> RankedOrder(SelectionStrategy strategy, SelectionResult result)
    {
        var list = new List<(string, int)>(result.Peers.Count);
        var group = -1;
        RankedPeer? prev = null;
        foreach (var p in result.Peers)
        {
            var tied = prev is not null && strategy switch
            {
                SelectionStrategy.Random or SelectionStrategy.RoundRobin => false,
                SelectionStrategy.LowestLatency => prev.Inputs.SrttMs == p.Inputs.SrttMs && prev.Score == p.Score,
                _ => prev.Score == p.Score,
            };
            if (!tied) group++;
            list.Add((p.PeerId.Value, group));
            prev = p;
        }
        return list;
    }

    /// <summary>Senders by training throughput Σ total_bytes / Σ total_timespent descending (senders without time last), ties by id.</summary>
    internal static IReadOnlyList<(string Id, int Group)> NaiveOrder(IReadOnlyList<SessionRecord> train)
    {
        var sums = new Dictionary<string, (double Bytes, double Ms)>(StringComparer.Ordinal);
        foreach (var s in train)
        {
            var (b, t) = sums.GetValueOrDefault(s.SenderId);
            sums[s.SenderId] = (b + s.TotalBytes, t + s.TotalTimespentMs);
        }
        var ordered = sums.Select(kv => (Id: kv.Key, Value: kv.Value.Ms > 0 ? kv.Value.Bytes / kv.Value.Ms : -1.0))
            .OrderByDescending(x => x.Value).ThenBy(x => x.Id, StringComparer.Ordinal).ToList();
        var list = new List<(string, int)>(ordered.Count);
        var group = -1;
        for (var i = 0; i < ordered.Count; i++)
        {
            if (i == 0 || ordered[i].Value != ordered[i - 1].Value) group++;
            list.Add((ordered[i].Id, group));
        }
        return list;
    }

    private static IReadOnlyList<(string Id, int Group)> RandomOrder(IReadOnlyList<PeerStatsState> senders, int seed)
    {
        var ids = senders.Select(s => s.PeerId.Value).Order(StringComparer.Ordinal).ToArray();
        new Random(seed ^ 0x5EED).Shuffle(ids);
        return ids.Select((id, i) => (id, i)).ToList();
    }

    /// <summary>The test side: per receiver its known senders' pair throughput, per known sender its throughput.</summary>
    private sealed class TestScoring
    {
        private readonly Dictionary<string, Dictionary<string, double>> _pairs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _senders = new(StringComparer.Ordinal);

        public int Receivers => _pairs.Count;
        public int Senders => _senders.Count;

        public static TestScoring From(IReadOnlyList<SessionRecord> test, IReadOnlySet<string> known)
        {
            var pairSums = new Dictionary<(string R, string S), (double B, double T)>();
            var senderSums = new Dictionary<string, (double B, double T)>(StringComparer.Ordinal);
            foreach (var s in test)
            {
                if (!known.Contains(s.SenderId)) continue;
                var p = pairSums.GetValueOrDefault((s.ReceiverId, s.SenderId));
                pairSums[(s.ReceiverId, s.SenderId)] = (p.B + s.TotalBytes, p.T + s.TotalTimespentMs);
                var q = senderSums.GetValueOrDefault(s.SenderId);
                senderSums[s.SenderId] = (q.B + s.TotalBytes, q.T + s.TotalTimespentMs);
            }
            var scoring = new TestScoring();
            foreach (var g in pairSums.Where(kv => kv.Value.T > 0).GroupBy(kv => kv.Key.R))
            {
                if (g.Count() < 2) continue;
                scoring._pairs[g.Key] = g.ToDictionary(kv => kv.Key.S, kv => kv.Value.B / kv.Value.T, StringComparer.Ordinal);
            }
            foreach (var kv in senderSums.Where(kv => kv.Value.T > 0)) scoring._senders[kv.Key] = kv.Value.B / kv.Value.T;

            return scoring;
        }

        public SelectionEvaluationRow Score(string name, IReadOnlyList<(string Id, int Group)> order, double goodFraction)
        {
            var position = new Dictionary<string, int>(order.Count, StringComparer.Ordinal);
            var group = new Dictionary<string, int>(order.Count, StringComparer.Ordinal);
            for (var i = 0; i < order.Count; i++)
            {
                position[order[i].Id] = i;
                group[order[i].Id] = order[i].Group;
            }
            var hits = 0;
            double rhoSum = 0;
            var rhoCount = 0;
            foreach (var (_, senders) in _pairs)
            {
                var rx = new List<double>(senders.Count);
                var ry = new List<double>(senders.Count);
                foreach (var (s, thr) in senders)
                {
                    rx.Add(-group[s]); // every known sender is ranked (N = all)
                    ry.Add(thr);
                }
                var r = Spearman.RankCorrelation(rx, ry);
                if (!double.IsNaN(r)) { rhoSum += r; rhoCount++; }

                string? top = null;
                var topPos = int.MaxValue;
                var best = 0.0;
                foreach (var (s, thr) in senders)
                {
                    best = Math.Max(best, thr);
                    var pos = position.GetValueOrDefault(s, int.MaxValue);
                    if (pos < topPos || top is null) { topPos = pos; top = s; }
                }
                if (senders[top!] >= goodFraction * best) hits++;
            }
            var xs = new List<double>(_senders.Count);
            var ys = new List<double>(_senders.Count);
            foreach (var (s, thr) in _senders)
            {
                if (!group.TryGetValue(s, out var g)) continue;
                xs.Add(-g); // better rank = larger value
                ys.Add(thr);
            }
            var rho = Spearman.RankCorrelation(xs, ys);
            return new SelectionEvaluationRow(name, _pairs.Count == 0 ? 0 : (double)hits / _pairs.Count, hits,
                rhoCount == 0 ? null : rhoSum / rhoCount, rhoCount, double.IsNaN(rho) ? null : rho);
        }
    }
}
