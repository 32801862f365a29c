namespace PeerActors.Benchmarks.Harness;

/// <summary>
/// One benchmark suite (shared/BENCHMARKS.md): `dotnet run -c Release --project tests/PeerActors.Benchmarks -- NAME [--quick]`.
/// Implementations are discovered by reflection; add a class, nothing else to register.
/// A default run must stay under 2 minutes on 2 cores, `--quick` under 30 s.
/// </summary>
public interface IBenchmarkSuite
{
    /// <summary>Suite name on the command line, e.g. <c>ingest</c>.</summary>
    string Name { get; }

    /// <summary>One line for `--help`.</summary>
    string Description { get; }

    /// <summary>Runs the suite and reports every figure through <paramref name="report"/>.</summary>
    Task RunAsync(BenchmarkOptions options, ResultReporter report);
}

/// <summary>Command-line options common to all suites.</summary>
/// <param name="Quick">`--quick`: a smaller run under 30 s.</param>
/// <param name="Args">Remaining suite-specific arguments.</param>
public sealed record BenchmarkOptions(bool Quick, IReadOnlyList<string> Args);
