using PeerActors.Core.Stats;
using PeerActors.Node.Evaluation;
using PeerActors.Node.Replay;

namespace PeerActors.Node.Commands;

/// <summary>
/// <c>peeractors evaluate --train FILE... (--test FILE... | --split-hours H) [--strategy S]... [--report-json FILE]
/// [--half-life D] [--burst-half-life D] [--prior-samples K] [--seed N] [--strict]</c>: replays the training sessions into in-process Core
/// statistics, ranks the senders with each strategy, and scores the rankings on the test sessions (issue #14; see
/// <see cref="SelectionEvaluator"/>). Exit codes: 0 ok; 1 bad input; 2 bad flag.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>Creates the subcommand.</summary>
    public static Command Create()
    {
        var train = new Option<string[]>("--train") { Description = "Training files (CSV or Parquet); several allowed.", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Required = true };
        var test = new Option<string[]>("--test") { Description = "Test files (CSV or Parquet); several allowed.", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true };
        var split = new Option<double?>("--split-hours") { Description = "Instead of --test: split the training input at its first session start + H hours (train = sessions ended by then, test = sessions started after)." };
        var strategies = new Option<string[]>("--strategy") { Description = "Strategies to score (repeatable; default all). naive and random are always scored.", AllowMultipleArgumentsPerToken = true };
        var reportJson = new Option<string?>("--report-json") { Description = "Also write the report as JSON to this file." };
        var halfLife = new Option<string?>("--half-life") { Description = "Half-life of the throughput estimator (e.g. 12h, 90m; default 12h)." };
        var prior = new Option<double?>("--prior-samples") { Description = "Prior strength of the Throughput strategy, in weighted samples (default 0.5)." };
        var burst = new Option<string?>("--burst-half-life") { Description = "Correlation half-life of the throughput estimator (e.g. 30s; default 30s)." };
        var seed = new Option<int>("--seed") { Description = "Seed of Random and of the random baseline (default 1).", DefaultValueFactory = _ => 1 };
        var strict = new Option<bool>("--strict") { Description = "Abort on the first malformed row instead of skipping it." };

        var command = new Command("evaluate", "Score selection strategies on later traffic: train on some sessions, test the picks on others.");
        foreach (var o in new Option[] { train, test, split, strategies, reportJson, halfLife, burst, prior, seed, strict }) command.Add(o);
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var trainFiles = result.GetValue(train) ?? [];
            var testFiles = result.GetValue(test) ?? [];
            var splitHours = result.GetValue(split);
            if ((splitHours is null) == (testFiles.Length == 0))
            {
                error.WriteLine("evaluate: give either --test FILE... or --split-hours H (not both)");
                return ExitCodes.ConfigurationError;
            }
            if (splitHours is { } sh && !(sh > 0 && double.IsFinite(sh)))
            {
                error.WriteLine($"evaluate: --split-hours: expected a number > 0, got {sh.ToString(CultureInfo.InvariantCulture)}");
                return ExitCodes.ConfigurationError;
            }
            var list = new List<SelectionStrategy>();
            foreach (var text in result.GetValue(strategies) ?? [])
            {
                if (!Enum.TryParse<SelectionStrategy>(text, ignoreCase: true, out var s) || !Enum.IsDefined(s) || int.TryParse(text, out _))
                {
                    error.WriteLine($"evaluate: --strategy: unknown strategy '{text}' (expected one of {string.Join(", ", Enum.GetNames<SelectionStrategy>())})");
                    return ExitCodes.ConfigurationError;
                }
                list.Add(s);
            }
            var statsOptions = PeerStatsOptions.Default;
            var throughput = ThroughputOptions.Default;
            try
            {
                if (result.GetValue(halfLife) is { } hl)
                {
                    if (!HoconDuration.TryParse(hl, out var d) || d <= TimeSpan.Zero)
                    {
                        error.WriteLine($"evaluate: --half-life: expected a duration > 0 such as 12h or 90m, got '{hl}'");
                        return ExitCodes.ConfigurationError;
                    }
                    statsOptions = statsOptions with { ThroughputHalfLifeMs = d.TotalMilliseconds };
                }
                if (result.GetValue(burst) is { } bh)
                {
                    if (!HoconDuration.TryParse(bh, out var d) || d <= TimeSpan.Zero)
                    {
                        error.WriteLine($"evaluate: --burst-half-life: expected a duration > 0 such as 30s, got '{bh}'");
                        return ExitCodes.ConfigurationError;
                    }
                    statsOptions = statsOptions with { ThroughputBurstHalfLifeMs = d.TotalMilliseconds };
                }
                if (result.GetValue(prior) is { } k) throughput = new ThroughputOptions { PriorSamples = k };
            }
            catch (InvalidInputException e)
            {
                error.WriteLine($"evaluate: {e.Message}");
                return ExitCodes.ConfigurationError;
            }

            IReadOnlyList<SessionRecord> trainSessions, testSessions;
            long skipped;
            try
            {
                var strictRead = result.GetValue(strict);
                var trainInput = await SessionSource.ReadAsync(trainFiles, strictRead, ct);
                skipped = trainInput.Diagnostics.RowsSkipped;
                if (splitHours is { } hours)
                {
                    (trainSessions, testSessions) = SelectionEvaluator.Split(trainInput.Records, hours);
                }
                else
                {
                    var testInput = await SessionSource.ReadAsync(testFiles, strictRead, ct);
                    skipped += testInput.Diagnostics.RowsSkipped;
                    trainSessions = trainInput.Records;
                    testSessions = testInput.Records;
                }
            }
            catch (ReplayInputException e)
            {
                error.WriteLine($"evaluate: {e.Message}");
                return ExitCodes.Failure;
            }
            if (trainSessions.Count == 0)
            {
                error.WriteLine("evaluate: no training sessions (is --split-hours beyond the input's span?)");
                return ExitCodes.Failure;
            }

            var options = new SelectionEvaluationOptions
            {
                StatsOptions = statsOptions,
                Throughput = throughput,
                Seed = result.GetValue(seed),
                Strategies = list.Count > 0 ? list : Enum.GetValues<SelectionStrategy>(),
            };
            var report = new EvaluationReport
            {
                TrainFiles = trainFiles,
                TestFiles = testFiles,
                SplitHours = splitHours,
                ThroughputHalfLifeMs = statsOptions.ThroughputHalfLifeMs,
                ThroughputBurstHalfLifeMs = statsOptions.ThroughputBurstHalfLifeMs,
                ThroughputPriorSamples = throughput.PriorSamples,
                Seed = options.Seed,
                RowsSkipped = skipped,
                Result = SelectionEvaluator.Evaluate(trainSessions, testSessions, options),
            };
            output.Write(report.ToText());
            if (result.GetValue(reportJson) is { } jsonPath) await ReportFile.WriteAsync(jsonPath, report.ToJson(), output);
            return ExitCodes.Ok;
        });
        return command;
    }
}
