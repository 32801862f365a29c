namespace PeerActors.Node.Limits;

/// <summary>
/// Loads the node's limit settings: rcmgr <c>DefaultLimits</c> auto-scaled from this machine's memory and FD
/// limit (<see cref="MachineResources"/>), with <c>peeractors.limits.file</c> (default <c>config/limits.json</c>,
/// a partial rcmgr config; the file must exist, and an empty key means defaults only) applied over them. Limits are per node: a peer
/// connected to several nodes is limited on each node separately.
/// </summary>
public static class NodeLimitsLoader
{
    /// <summary>The HOCON key of the limits file.</summary>
    public const string Key = "peeractors.limits.file";

    /// <summary>
    /// The opt-in reputation policy (<see cref="ReputationLimitPolicy"/> JSON) is read from this file beside the limits
    /// file (<c>config/reputation-policy.json</c>); absent = off.
    /// </summary>
    public const string PolicyFileName = "reputation-policy.json";

    /// <summary>Builds and validates the limit options of a node.</summary>
    /// <param name="settings">Node settings.</param>
    /// <param name="memoryBytes">Physical memory override (tests); null = read from the machine.</param>
    /// <param name="fdLimit">FD limit override (tests); null = read from the machine.</param>
    /// <returns>Options with the resolved <see cref="LimitsOptions.Limits"/>.</returns>
    /// <exception cref="NodeConfigurationException">
    /// The file does not exist, is a directory, is not valid JSON (including a duplicate key) or has a bad key or value;
    /// the message names <c>peeractors.limits.file</c>, the file
    /// and the JSON key (e.g. <c>System.ConnsInbound</c>).
    /// </exception>
    public static LimitsOptions Load(NodeSettings settings, long? memoryBytes = null, int? fdLimit = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Load(settings.LimitsFile, memoryBytes, fdLimit, Path.Combine(settings.DataDirectory, LimitSetFile.FileName));
    }

    /// <summary>
    /// Builds and validates limit options from a file path (null = built-in defaults only); run-time changes
    /// (<c>limits set</c>) are persisted in <paramref name="setFile"/> (a node: <c>&lt;data-dir&gt;/limits-set.json</c>) and
    /// reapplied over the file at start.
    /// </summary>
    /// <exception cref="NodeConfigurationException">As <see cref="Load(NodeSettings, long?, int?)"/> (also for a bad set file,
    /// a missing limits file or a directory).</exception>
    public static LimitsOptions Load(string? limitsFile, long? memoryBytes = null, int? fdLimit = null, string? setFile = null)
    {
        if (limitsFile is not null && Directory.Exists(limitsFile))
            throw new NodeConfigurationException(Key, $"{limitsFile} is a directory, not a JSON file.");
        if (limitsFile is not null && !File.Exists(limitsFile))
            throw new NodeConfigurationException(Key, $"{limitsFile} does not exist (set the key to \"\" for the built-in default limits).");
        var options = new LimitsOptions { LimitsFile = limitsFile, MemoryBytes = memoryBytes, FdLimit = fdLimit, SetFile = setFile };
        var policyFile = limitsFile is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(limitsFile))!, PolicyFileName);
        ReputationLimitPolicy? policy = null;
        try
        {
            if (policyFile is not null && File.Exists(policyFile)) policy = ReputationLimitPolicy.Parse(File.ReadAllText(policyFile));
        }
        catch (InvalidInputException e)
        {
            throw new NodeConfigurationException(Key, $"{policyFile}: {StripField(e)}");
        }
        try
        {
            var layers = options.ResolveLayers();
            return options with { Layers = layers, Limits = layers.Effective, LimitsFile = null, ReputationPolicy = policy };
        }
        catch (InvalidInputException e) when (setFile is not null && e.Field.StartsWith(setFile, StringComparison.Ordinal))
        {
            throw new NodeConfigurationException(Key, $"run-time limit changes {StripField(e)} (fix or delete that file)");
        }
        catch (InvalidInputException e)
        {
            throw new NodeConfigurationException(Key, $"{limitsFile}: {StripField(e)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigurationException(Key, $"{limitsFile}: cannot read: {e.Message}");
        }
    }

    private static string StripField(InvalidInputException e)
    {
        string m = e.Message;
        int paren = m.LastIndexOf(" (Parameter", StringComparison.Ordinal);
        return paren > 0 ? m[..paren] : m;
    }
}
