namespace PeerActors.Node.Commands;

/// <summary>Writes a command's <c>--report-json</c> file (replay, evaluate).</summary>
internal static class ReportFile
{
    /// <summary>Writes <paramref name="json"/> to <paramref name="path"/>, creating its directory, and says so on <paramref name="output"/>.</summary>
    /// <exception cref="IOException">The file or its directory cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
    public static async Task WriteAsync(string path, string json, TextWriter output)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(path, json, CancellationToken.None);
        output.WriteLine($"Report written to {path}");
    }
}
