namespace PeerActors.Node.Hosting;

/// <summary>
/// Ownership of a data directory (<c>peeractors.data-dir</c>) by one process: an exclusive OS lock (<c>flock</c> on
/// Linux/macOS, a share-none handle on Windows) on <c>&lt;data-dir&gt;/peeractors.lock</c>, held until the lock is
/// disposed (normally the end of the process; the OS releases it when a process dies, so a crash leaves no stale lock).
/// The holder's PID is written to <c>&lt;data-dir&gt;/peeractors.pid</c> so that a refused process can name it.
/// </summary>
/// <remarks>
/// Two processes on one data directory (a <c>run</c> node and a <c>replay</c>) would share one SQLite journal with two
/// writers that do not know each other's sequence numbers: a <c>Forget</c> acknowledged by one deletes only the events
/// it knew, and the peer comes back after a restart. The lock makes the second process fail at once instead.
/// Within one process the lock is re-entrant (reference-counted per full path), so <c>replay</c> can take it before
/// reading its input and the node host it builds can take it again.
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>Name of the lock file inside the data directory.</summary>
    public const string LockFileName = "peeractors.lock";

    /// <summary>Name of the file holding the owner's PID inside the data directory.</summary>
    public const string OwnerFileName = "peeractors.pid";

    private const string Key = "peeractors.data-dir";
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Holder> Held = new(StringComparer.Ordinal);
    private int _disposed;

    private DataDirectoryLock(string directory) => Directory = directory;

    /// <summary>The locked directory (full path).</summary>
    public string Directory { get; }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and takes its lock (re-entrant within this process).
    /// </summary>
    /// <param name="directory">The data directory (relative paths are resolved against the working directory).</param>
    /// <returns>The lock; dispose it to release (the last release in this process closes the lock file).</returns>
    /// <exception cref="NodeConfigurationException">
    /// Key <c>peeractors.data-dir</c>: the path is a file, cannot be created or opened, or another process holds the
    /// lock (the message names the directory and the holder's PID).
    /// </exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        lock (Gate)
        {
            if (Held.TryGetValue(full, out var holder))
            {
                holder.Count++;
                return new DataDirectoryLock(full);
            }

            if (File.Exists(full))
                throw new NodeConfigurationException(Key, $"'{full}' is a file, not a directory.");
            try
            {
                System.IO.Directory.CreateDirectory(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new NodeConfigurationException(Key, $"'{full}' cannot be created: {e.Message}");
            }

            var lockPath = Path.Combine(full, LockFileName);
            FileStream stream;
            try
            {
                // FileShare.None = flock(LOCK_EX | LOCK_NB) on Unix: fails at once when another process holds it.
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsSharingViolation(e))
            {
                throw new NodeConfigurationException(Key,
                    $"'{full}' is in use by another process (PID {ReadOwner(full)}; lock file {lockPath}). " +
                    "A data directory belongs to one node or replay at a time: stop it or use another --data-dir.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NodeConfigurationException(Key, $"'{full}': cannot open the lock file {lockPath}: {e.Message}");
            }

            var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            try
            {
                stream.SetLength(0);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(pid + "\n"));
                stream.Flush();
                File.WriteAllText(Path.Combine(full, OwnerFileName), pid + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stream.Dispose();
                throw new NodeConfigurationException(Key, $"'{full}' is not writable: {e.Message}");
            }
            Held[full] = new Holder(stream);
            return new DataDirectoryLock(full);
        }
    }

    /// <summary>Whether this process currently holds the lock of <paramref name="directory"/>.</summary>
    /// <param name="directory">The data directory.</param>
    /// <returns>True when held.</returns>
    public static bool IsHeldByThisProcess(string directory)
    {
        lock (Gate)
            return Held.ContainsKey(Path.GetFullPath(directory));
    }

    /// <summary>Releases this reference; the last one in the process removes the PID file and closes the lock file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        lock (Gate)
        {
            if (!Held.TryGetValue(Directory, out var holder) || --holder.Count > 0)
                return;
            Held.Remove(Directory);
            try
            {
                File.Delete(Path.Combine(Directory, OwnerFileName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The PID file is informational; the lock itself is what matters.
            }
            holder.Stream.Dispose();
        }
    }

    private static bool IsSharingViolation(IOException e) => OperatingSystem.IsWindows()
        // ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION.
        ? (e.HResult & 0xFFFF) is 32 or 33
        // flock(LOCK_NB) failed with EWOULDBLOCK (11 on Linux, 35 on macOS); .NET puts the raw errno in HResult.
        : e.HResult is 11 or 35;

    private static string ReadOwner(string directory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, OwnerFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? pid.ToString(CultureInfo.InvariantCulture)
                : "unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private sealed class Holder(FileStream stream)
    {
        public FileStream Stream { get; } = stream;
        public int Count { get; set; } = 1;
    }
}
