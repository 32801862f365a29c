namespace PeerActors.Node.Configuration;

/// <summary>
/// Finds the directory holding <c>hocon.conf</c> and <c>config/</c>: the <c>PEERACTORS_HOME</c>
/// environment variable if set, else the working directory or its nearest ancestor that has
/// <c>hocon.conf</c> (repository root, editable without rebuilding), else the application's base
/// directory (the build output, where the csproj copies both).
/// </summary>
public static class ConfigRootLocator
{
    /// <summary>The file name of the base configuration.</summary>
    public const string BaseFileName = "hocon.conf";

    /// <summary>Environment variable naming the configuration root explicitly.</summary>
    public const string HomeVariable = "PEERACTORS_HOME";

    /// <summary>Locates the configuration root.</summary>
    /// <param name="environment">Environment variables (<see cref="HomeVariable"/> is consulted).</param>
    /// <returns>The full path of the directory holding <c>hocon.conf</c>.</returns>
    /// <exception cref="NodeConfigurationException">No <c>hocon.conf</c> found.</exception>
    public static string Locate(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.TryGetValue(HomeVariable, out var home) && !string.IsNullOrWhiteSpace(home))
        {
            var full = Path.GetFullPath(home);
            return File.Exists(Path.Combine(full, BaseFileName))
                ? full
                : throw new NodeConfigurationException(HomeVariable, $"'{full}' holds no {BaseFileName}.");
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, BaseFileName)))
                return dir.FullName;
        }

        var baseDir = Path.GetFullPath(AppContext.BaseDirectory);
        return File.Exists(Path.Combine(baseDir, BaseFileName))
            ? baseDir
            : throw new NodeConfigurationException(BaseFileName,
                $"not found in the working directory, its ancestors, or {baseDir}; set {HomeVariable}.");
    }
}
