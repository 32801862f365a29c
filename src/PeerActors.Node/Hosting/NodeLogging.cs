using Microsoft.Extensions.Logging.Console;
using Serilog;

namespace PeerActors.Node.Hosting;

/// <summary>
/// Logging of a node process (Microsoft.Extensions.Logging; Akka's log goes through it): one line per entry on
/// <b>stderr</b> (stdout stays for command output such as the replay report), and the file
/// <c>&lt;data-dir&gt;/peeractors.log</c> (Serilog file sink, Information and above, rolled at 50 MB, 5 files kept).
/// </summary>
public static class NodeLogging
{
    /// <summary>Name of the log file in the data directory.</summary>
    public const string LogFileName = "peeractors.log";

    /// <summary>Size at which the log file is rolled, bytes.</summary>
    public const long LogFileSizeLimitBytes = 50L * 1024 * 1024;

    /// <summary>Configures <paramref name="logging"/>.</summary>
    /// <param name="logging">The builder (its providers are replaced).</param>
    /// <param name="settings">Node settings (the data directory holds the log file).</param>
    /// <param name="consoleLevel">Lowest level written to stderr (a replay uses Warning, a node Information).</param>
    public static void Configure(ILoggingBuilder logging, NodeSettings settings, LogLevel consoleLevel)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(settings);
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.AddFilter<ConsoleLoggerProvider>(null, consoleLevel);

        var file = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.File(Path.Combine(settings.DataDirectory, LogFileName),
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                fileSizeLimitBytes: LogFileSizeLimitBytes, rollOnFileSizeLimit: true, retainedFileCountLimit: 5)
            .CreateLogger();
        var path = Path.Combine(settings.DataDirectory, LogFileName);
        logging.AddSerilog(file, dispose: false);
        // Closed by the host's container (it creates every ILoggerProvider), never throwing: see LogFileCloser.
        logging.Services.AddSingleton<ILoggerProvider>(_ => new LogFileCloser(file, path));
    }

    /// <summary>
    /// Closes the Serilog file logger when the host is disposed. On a full disk the entries the sink could not write stay
    /// in its file buffer and closing it throws (<c>EFBIG</c> / <c>ENOSPC</c>); a node stopping because its journal hit
    /// the same full disk must still exit with its own code (3, journal failure), so the error is reported on stderr
    /// instead of replacing the command's outcome. Contributes no loggers of its own.
    /// </summary>
    private sealed class LogFileCloser(Serilog.Core.Logger file, string path) : ILoggerProvider
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) =>
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
            try
            {
                file.Dispose();
            }
            catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
            {
                // ArgumentOutOfRangeException is how .NET reports a write past the file-size limit (EFBIG).
                Console.Error.WriteLine($"peeractors: the log file {path} could not be completed: {e.Message}");
            }
        }
    }
}
