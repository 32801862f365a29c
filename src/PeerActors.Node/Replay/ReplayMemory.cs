using System.Diagnostics;

namespace PeerActors.Node.Replay;

/// <summary>
/// The process's memory at one instant of a replay, taken when an input file's last session closes (so a replay of daily
/// files gives the curve of memory against days of data, from which a longer run is projected).
/// </summary>
/// <param name="WorkingSetBytes">Resident memory of the process (RSS), bytes (<see cref="Environment.WorkingSet"/>).</param>
/// <param name="GcHeapBytes">Managed heap after the last garbage collection, bytes (<see cref="GCMemoryInfo.HeapSizeBytes"/>):
/// what is live plus what that collection left as fragments.</param>
/// <param name="GcCommittedBytes">Memory the garbage collector holds from the OS, bytes (<see cref="GCMemoryInfo.TotalCommittedBytes"/>);
/// the rest of the working set is the runtime, code and native libraries (SQLite).</param>
/// <param name="LivePeerActors">Peer actors alive at that instant.</param>
public sealed record ReplayMemorySample(long WorkingSetBytes, long GcHeapBytes, long GcCommittedBytes, long LivePeerActors)
{
    /// <summary>This process now; <paramref name="livePeerActors"/> reads the live peer actor count.</summary>
    public static ReplayMemorySample Current(Func<long> livePeerActors)
    {
        ArgumentNullException.ThrowIfNull(livePeerActors);
        var gc = GC.GetGCMemoryInfo();
        return new ReplayMemorySample(Environment.WorkingSet, gc.HeapSizeBytes, gc.TotalCommittedBytes, livePeerActors());
    }

    /// <summary>Peak resident memory of this process so far, bytes (<see cref="Process.PeakWorkingSet64"/>).</summary>
    public static long PeakWorkingSetBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
