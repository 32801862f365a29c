using System.Text;

namespace PeerActors.Limits;

/// <summary>
/// The durable record of run-time limit changes (<c>limits set</c>): an rcmgr <c>PartialLimitConfig</c> JSON file in
/// the node's data directory (<c>limits-set.json</c> for a node), read at start and applied over the limits file.
/// <para><b>Why a file and not a persistent actor.</b> Limits are per node, and so is the data directory, whereas the
/// journal may be shared by the whole cluster (PostgreSQL) where a per-node persistence id would need a stable node
/// identity (ports may be 0). The file has the operator's format (the same JSON as <c>config/limits.json</c>, so it
/// can be read, diffed and promoted into it), and the limit actors need no journal to enforce limits at start.</para>
/// <para><b>Atomicity.</b> <see cref="Write"/> writes a temporary file next to it, flushes it to disk
/// (<c>fsync</c>), then renames it over the old one (atomic on POSIX file systems): a crash leaves the old or the new
/// file, never a torn one. The root acknowledges a change only after this returns.</para>
/// </summary>
public static class LimitSetFile
{
    /// <summary>File name inside a node's data directory.</summary>
    public const string FileName = "limits-set.json";

    /// <summary>Reads the changes; null when the file does not exist.</summary>
    /// <exception cref="InvalidInputException">The file is not valid rcmgr JSON (<c>Field</c> = the path and the key).</exception>
    /// <exception cref="IOException">It exists but cannot be read.</exception>
    public static PartialLimitConfig? Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) return null;
        try
        {
            return LimitConfigJson.Parse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{path}: {e.Field}", LimitsText.Reason(e));
        }
    }

    /// <summary>Writes <paramref name="changes"/> atomically (temporary file, fsync, rename over).</summary>
    /// <exception cref="IOException">The write failed (the previous file is intact).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    public static void Write(string path, PartialLimitConfig changes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(changes);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = Encoding.UTF8.GetBytes(changes.ToJson(indented: true) + "\n");
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}

/// <summary>Text helpers for limit errors.</summary>
internal static class LimitsText
{
    /// <summary>The reason of an <see cref="InvalidInputException"/> without its field prefix and parameter suffix.</summary>
    public static string Reason(InvalidInputException e)
    {
        var text = e.Message;
        var suffix = $" (Parameter '{e.ParamName}')";
        if (e.ParamName is not null && text.EndsWith(suffix, StringComparison.Ordinal)) text = text[..^suffix.Length];
        var prefix = e.Field + ": ";
        return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
    }
}
