namespace PeerActors.Node.Replay;

/// <summary>
/// Totals of the input's peers as they were in the journal before a replay run began (so that a resumed run can
/// check its gains against the whole input).
/// </summary>
/// <param name="IngressBefore">Σ ingress bytes of the input's peers before the run.</param>
/// <param name="RequestsBefore">Σ requests of the input's peers before the run.</param>
/// <param name="RecoveredPeers">Peers of the input that already had history.</param>
public sealed record ReplayBaseline(Int128 IngressBefore, long RequestsBefore, int RecoveredPeers);

/// <summary>
/// <c>&lt;data-dir&gt;/replay-run.json</c>: the last replay run of a data directory — its id, its input files (path and
/// size), its baseline and whether it completed. A run sends through a reliable-delivery producer whose id is derived
/// from the run id (<see cref="ProducerId"/>), and the plan numbers its items per peer deterministically, so
/// <c>replay --resume</c> sends the same items under the same keys again: each peer actor skips what it had persisted
/// (its delivery marks) and applies the rest once. Nothing is counted twice and nothing persisted is lost.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Files">Input files (full path and size in bytes), in command-line order.</param>
/// <param name="Baseline">Totals before the run began; null until they were taken.</param>
/// <param name="Completed">True once the run finished (nothing left to resume).</param>
public sealed record ReplayRunState(Guid RunId, IReadOnlyList<ReplayRunFile> Files, ReplayBaseline? Baseline, bool Completed)
{
    /// <summary>File name inside the data directory.</summary>
    public const string FileName = "replay-run.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The reliable-delivery producer id of the run (stable across a resume).</summary>
    public string ProducerId => $"replay/{RunId:N}";

    /// <summary>Describes <paramref name="files"/> as they are now.</summary>
    /// <param name="files">Input paths.</param>
    /// <returns>Full paths and sizes.</returns>
    public static IReadOnlyList<ReplayRunFile> Describe(IEnumerable<string> files) =>
        files.Select(f => new ReplayRunFile(Path.GetFullPath(f), new FileInfo(f).Length)).ToArray();

    /// <summary>Reads the state of <paramref name="dataDirectory"/>, or null when there is none.</summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <returns>The state.</returns>
    /// <exception cref="NodeConfigurationException">The file is unreadable (names it).</exception>
    public static ReplayRunState? Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ReplayRunState>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new NodeConfigurationException("--resume", $"{path} is not a replay run state: {e.Message}");
        }
    }

    /// <summary>Writes the state atomically (temporary file, then rename).</summary>
    /// <param name="dataDirectory">The data directory.</param>
    public void Write(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>An input file of a replay run.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Bytes">Size in bytes.</param>
public sealed record ReplayRunFile(string Path, long Bytes);
