namespace PeerActors.Limits;

/// <summary>
/// Settings of the limit actors (<c>WithPeerActorsLimits</c>). Limits are, in order of precedence:
/// <see cref="Limits"/> when set; otherwise rcmgr's <c>DefaultLimits</c> auto-scaled (1/8 of
/// <see cref="MemoryBytes"/>, 1/2 of <see cref="FdLimit"/>; each read from the machine when null, see
/// <see cref="MachineResources"/>) with the partial JSON config of <see cref="LimitsFile"/> (or
/// <see cref="LimitsJson"/>) applied over them.
/// <para>
/// <b>Per node:</b> the system and transient scopes account for this process's resources only. A peer connected
/// to several nodes of a cluster is limited on each node separately (its <c>peer:ID</c> limit applies per node,
/// not cluster-wide).
/// </para>
/// </summary>
public sealed record LimitsOptions
{
    /// <summary>Fully resolved limits; when set, the file, JSON and scaling inputs are ignored.</summary>
    public ConcreteLimitConfig? Limits { get; init; }

    /// <summary>Path of an rcmgr <c>PartialLimitConfig</c> JSON file; a missing file means defaults only.</summary>
    public string? LimitsFile { get; init; }

    /// <summary>An rcmgr <c>PartialLimitConfig</c> JSON text (used when <see cref="LimitsFile"/> is null).</summary>
    public string? LimitsJson { get; init; }

    /// <summary>
    /// Path of the durable record of run-time limit changes (<see cref="LimitSetFile"/>; a node uses
    /// <c>&lt;data-dir&gt;/limits-set.json</c>): read at start and applied over the file/JSON limits; every change
    /// (<see cref="SetLimit"/>, <see cref="ChangeLimit"/>) of a configurable scope is written to it before it is
    /// acknowledged. Null = run-time changes are not persisted (a restart reverts them).
    /// </summary>
    public string? SetFile { get; init; }

    /// <summary>
    /// Opt-in reputation-aware peer limits (<see cref="ReputationLimitPolicy"/>), evaluated from the peers' published
    /// score inputs; null = off (rcmgr's behaviour: every peer without an explicit limit gets PeerDefault).
    /// </summary>
    public ReputationLimitPolicy? ReputationPolicy { get; init; }

    /// <summary>Pre-resolved layers (a node resolves them at start to validate); when set, the other inputs are ignored.</summary>
    public LimitLayers? Layers { get; init; }

    /// <summary>Physical memory in bytes for AutoScale; null = read from the machine.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The process file-descriptor limit for AutoScale; null = read from the machine.</summary>
    public int? FdLimit { get; init; }

    /// <summary>Allowlisted endpoints: <c>IP</c>, <c>CIDR</c>, or <c>IP-or-CIDR/p2p/PEERID</c> (see <see cref="AllowlistEntry.Parse"/>).</summary>
    public IReadOnlyList<string> Allowlist { get; init; } = [];

    /// <summary>Per-subnet connection limits (default rcmgr's: IPv4 /32: 8; IPv6 /56: 8, /48: 64; loopback unlimited).</summary>
    public SubnetLimitSettings SubnetLimits { get; init; } = new();

    /// <summary>
    /// Peer, service and protocol actors that are idle and empty are stopped at the next sweep of this interval
    /// (rcmgr garbage-collects idle scopes periodically too). Default 1 s.
    /// </summary>
    public TimeSpan IdleSweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the root may hold the protocol and service releases of closed streams (<see cref="Close"/>,
    /// <see cref="CloseStreamOneWay"/>) so that they ride on a later chain to the same actor, or share one message with
    /// other closes' releases, instead of one message per actor per close. Meanwhile the closed stream still counts in
    /// those actors' scopes, but nothing is refused for it: a stat or list through the root sends them first, a chain of
    /// the root carries them, and a protocol / service actor about to refuse a peer actor's chain asks for them first.
    /// Zero: sent at once. Akka's scheduler rounds up to its tick (10 ms by default). Default 10 ms.
    /// </summary>
    public TimeSpan HeldReleaseDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Clock deciding whether a peer's ban is in force for a request without an observation instant
    /// (<see cref="OpenStream.At"/> / <see cref="SetPeer.At"/> null). Default <see cref="System.TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Name of the root actor under <c>/user</c>. Default <c>limits</c>.</summary>
    public string ActorName { get; init; } = "limits";

    /// <summary>
    /// Resolves the concrete limits (see the type summary).
    /// </summary>
    /// <returns>The limits.</returns>
    /// <exception cref="InvalidInputException">Bad JSON or value (<c>Field</c> = the JSON key, e.g. <c>System.ConnsInbound</c>), or a bad scaling input.</exception>
    /// <exception cref="IOException">The limits file exists but cannot be read.</exception>
    public ConcreteLimitConfig ResolveLimits() => ResolveLayers().Effective;

    /// <summary>
    /// Resolves the layers of the limits: defaults (<see cref="Limits"/> when set, else rcmgr's scaled
    /// <c>DefaultLimits</c>), the file (<see cref="LimitsFile"/> or <see cref="LimitsJson"/>, ignored when
    /// <see cref="Limits"/> is set) and the run-time changes of <see cref="SetFile"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">Bad JSON or value in either file (the field names the key).</exception>
    /// <exception cref="IOException">A file exists but cannot be read.</exception>
    public LimitLayers ResolveLayers()
    {
        if (Layers is not null) return Layers;
        var set = SetFile is null ? null : LimitSetFile.Read(SetFile);
        if (Limits is not null) return new LimitLayers(Limits, null, set);
        long memory = MemoryBytes ?? MachineResources.PhysicalMemoryBytes();
        int fd = FdLimit ?? MachineResources.ProcessFdLimit();
        var defaults = ScalingLimitConfig.DefaultLimits.AutoScale(memory, fd);
        string? json = LimitsJson;
        if (LimitsFile is not null)
            json = File.Exists(LimitsFile) ? File.ReadAllText(LimitsFile) : null;
        return new LimitLayers(defaults, json is null ? null : LimitConfigJson.Parse(json), set);
    }

    /// <summary>Parses the allowlist entries.</summary>
    /// <exception cref="InvalidInputException">An entry is invalid (<c>Field</c> = <c>Allowlist[i]</c>).</exception>
    public Allowlist BuildAllowlist()
    {
        var list = new Allowlist();
        for (int i = 0; i < Allowlist.Count; i++)
        {
            try
            {
                list.Add(Allowlist[i]);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"Allowlist[{i}]", e.Message);
            }
        }

        return list;
    }
}

/// <summary>
/// Reads the AutoScale inputs from the machine.
/// <list type="bullet">
/// <item>Memory: <c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c> (physical memory, or the container limit);
/// if that is not positive, <c>MemTotal</c> of <c>/proc/meminfo</c>; else 4 GiB.</item>
/// <item>FD limit: the soft "Max open files" of <c>/proc/self/limits</c> (RLIMIT_NOFILE) on Linux; elsewhere, or
/// when unreadable or "unlimited", 4096 (a documented fallback, rcmgr reads getrlimit).</item>
/// </list>
/// </summary>
public static class MachineResources
{
    /// <summary>Fallback FD limit when it cannot be read.</summary>
    public const int FallbackFdLimit = 4096;

    /// <summary>Fallback memory when it cannot be read (4 GiB).</summary>
    public const long FallbackMemoryBytes = 4L << 30;

    /// <summary>Physical (or container) memory in bytes.</summary>
    public static long PhysicalMemoryBytes()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (total > 0) return total;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    return long.Parse(line[9..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return FallbackMemoryBytes;
    }

    /// <summary>The process's soft RLIMIT_NOFILE.</summary>
    public static int ProcessFdLimit()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/self/limits"))
                return ParseFdLimit(File.ReadAllText("/proc/self/limits")) ?? FallbackFdLimit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return FallbackFdLimit;
    }

    /// <summary>Parses the soft "Max open files" value of a <c>/proc/self/limits</c> text; null when absent or unlimited.</summary>
    public static int? ParseFdLimit(string limitsText)
    {
        foreach (var line in limitsText.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var parts = line[14..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v) && v > 0)
                return (int)Math.Min(v, int.MaxValue);
            return null;
        }

        return null;
    }
}
