using PeerActors.Core.Validation;
using PeerActors.Limits;
using PeerActors.Node.Configuration;

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
        return Load(settings.LimitsFile, memoryBytes, fdLimit);
    }

    /// <summary>Builds and validates limit options from a file path (null = built-in defaults only).</summary>
    /// <exception cref="NodeConfigurationException">As <see cref="Load(NodeSettings, long?, int?)"/>.</exception>
    public static LimitsOptions Load(string? limitsFile, long? memoryBytes = null, int? fdLimit = null)
    {
        var options = new LimitsOptions { LimitsFile = limitsFile, MemoryBytes = memoryBytes, FdLimit = fdLimit };
        if (limitsFile is not null && Directory.Exists(limitsFile))
            throw new NodeConfigurationException(Key, $"{limitsFile} is a directory, not a JSON file.");
        if (limitsFile is not null && !File.Exists(limitsFile))
            throw new NodeConfigurationException(Key, $"{limitsFile} does not exist (set the key to \"\" for the built-in default limits).");
        try
        {
            return options with { Limits = options.ResolveLimits(), LimitsFile = null };
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
