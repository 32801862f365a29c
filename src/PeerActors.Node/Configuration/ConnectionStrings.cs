using Microsoft.Data.Sqlite;
using Npgsql;

namespace PeerActors.Node.Configuration;

/// <summary>Validation of <c>peeractors.persistence.connection-string</c> with the providers' own parsers.</summary>
internal static class ConnectionStrings
{
    /// <summary>
    /// Returns null when <paramref name="connectionString"/> is usable for <paramref name="provider"/>, else what is wrong.
    /// A SQLite <c>Data Source</c> must be a file whose directory exists or is the data directory (which the node creates):
    /// the node never creates other directories.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="connectionString">The connection string (not echoed in the result: it may hold a password).</param>
    /// <param name="dataDirectory">The data directory, full path.</param>
    /// <returns>The problem, or null.</returns>
    public static string? Check(PersistenceProvider provider, string connectionString, string dataDirectory)
    {
        try
        {
            switch (provider)
            {
                case PersistenceProvider.Sqlite:
                {
                    var b = new SqliteConnectionStringBuilder(connectionString);
                    if (string.IsNullOrWhiteSpace(b.DataSource))
                        return "a SQLite connection string needs 'Data Source=<file>'.";
                    if (b.DataSource == ":memory:" || b.Mode == SqliteOpenMode.Memory)
                        return null;
                    var file = Path.GetFullPath(b.DataSource);
                    if (Directory.Exists(file))
                        return $"Data Source {file} is a directory, not a database file.";
                    var dir = Path.GetDirectoryName(file);
                    if (dir is not null && !Directory.Exists(dir)
                        && !string.Equals(Path.TrimEndingDirectorySeparator(dir), Path.TrimEndingDirectorySeparator(dataDirectory), StringComparison.Ordinal))
                        return $"the directory {dir} of Data Source does not exist (only peeractors.data-dir is created).";
                    return null;
                }
                case PersistenceProvider.PostgreSql:
                {
                    var b = new NpgsqlConnectionStringBuilder(connectionString);
                    return string.IsNullOrWhiteSpace(b.Host) ? "a PostgreSQL connection string needs 'Host=<host>'." : null;
                }
                default:
                    return $"unknown provider {provider}.";
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return $"not a valid {(provider == PersistenceProvider.Sqlite ? "SQLite" : "PostgreSQL")} connection string: {NodeCliMessage(e.Message)}";
        }
    }

    private static string NodeCliMessage(string m)
    {
        var nl = m.IndexOfAny(['\r', '\n']);
        return nl < 0 ? m : m[..nl];
    }
}
