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
        logging.AddSerilog(file, dispose: true);
    }
}
