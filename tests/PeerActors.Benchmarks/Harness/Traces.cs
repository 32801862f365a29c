namespace PeerActors.Benchmarks.Harness;

/// <summary>The traces the replay-based suites run on.</summary>
public static class Traces
{
    /// <summary>The bundled 1,000-session sample (copied next to the benchmark binary).</summary>
    public static string Sample() => Path.Combine(AppContext.BaseDirectory, "data", "p2p-live-streaming", "sample.csv");

    /// <summary>The real day <c>shared/data/p2p-live-streaming/training_data_2020_03_14.parquet</c> found above the binary, or null.</summary>
    public static string? RealDay()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var f = Path.Combine(dir.FullName, "shared", "data", "p2p-live-streaming", "training_data_2020_03_14.parquet");
            if (File.Exists(f)) return f;
        }
        return null;
    }

    /// <summary>The trace of a run: the sample with <c>--quick</c>, else the real day when present.</summary>
    public static string For(BenchmarkOptions options) => options.Quick ? Sample() : RealDay() ?? Sample();
}
