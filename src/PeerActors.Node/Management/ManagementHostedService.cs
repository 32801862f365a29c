using System.Security.Cryptography;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;
using PeerActors.Node.Health;

namespace PeerActors.Node.Management;

/// <summary>
/// Runs the management endpoint: a private Kestrel <see cref="WebApplication"/> inside the node process,
/// started and stopped with the host. Routes:
/// <list type="bullet">
/// <item><c>GET /v1/commands</c> — registered commands (palette, name, description, arguments), the node's ask
/// timeout (<c>data.askTimeoutMs</c>) and the error codes (<c>data.errorCodes</c>).</item>
/// <item><c>POST /v1/commands/{palette words...}/{name}</c> — body: JSON object of arguments; answer: <see cref="CommandResult"/>,
/// HTTP status from its code (<see cref="CommandResult.StatusFor"/>): 200 ok or a domain refusal, 400 <c>invalid-input</c>,
/// 401 <c>unauthorized</c>, 404 <c>unknown-command</c>, 500 <c>internal</c>, 503 <c>unavailable</c>, 504 <c>timeout</c>.</item>
/// <item><c>GET /healthz</c>, <c>GET /ready</c> — ASP.NET Core health checks tagged <c>live</c> / <c>ready</c>
/// (<see cref="NodeHealthChecks"/>): 200 Healthy, 503 otherwise; never need a token.</item>
/// <item><c>GET /metrics</c> — Prometheus text of the <c>PeerActors*</c> meters through the OpenTelemetry Prometheus
/// exporter (when enabled).</item>
/// </list>
/// The <see cref="ActorSystem"/> is resolved from the host's services per request (Akka.Hosting registers it),
/// so start order relative to the Akka hosted service does not matter.
/// </summary>
public sealed class ManagementHostedService : IHostedService, IAsyncDisposable
{
    private const string CommandsPrefix = "/v1/commands";
    private readonly IServiceProvider _services;
    private readonly ManagementOptions _options;
    private readonly ManagementEndpoint _endpoint;
    private readonly ManagementCommandRegistry _registry;
    private readonly ILogger _log;
    private readonly byte[]? _tokenHash;
    private WebApplication? _app;

    /// <summary>Created by DI (see <see cref="ManagementServiceCollectionExtensions.AddPeerActorsManagement(Microsoft.Extensions.DependencyInjection.IServiceCollection, ManagementOptions)"/>).</summary>
    public ManagementHostedService(IServiceProvider services, ManagementOptions options, ManagementEndpoint endpoint,
        ManagementCommandRegistry registry, ILoggerFactory? loggerFactory = null)
    {
        _services = services;
        _options = options;
        _endpoint = endpoint;
        _registry = registry;
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("PeerActors.Management");
        _tokenHash = options.HasToken ? SHA256.HashData(Encoding.UTF8.GetBytes(options.Token!)) : null;
    }

    /// <summary>Validates the options, binds Kestrel and starts serving.</summary>
    /// <exception cref="PeerActors.Core.Validation.InvalidInputException">Bad options (names the configuration key).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _options.Validate();
        var bind = _options.ParseEndpoint();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "PeerActors.Management" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(bind);
            k.AddServerHeader = false;
        });
        // Its life is the node's (StopAsync below): it must not stop on its own when SIGINT / SIGTERM arrives.
        builder.Services.AddSingleton<IHostLifetime, PeerActors.Node.Hosting.SignalFreeHostLifetime>();
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(_services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
        // The host's HealthCheckService: it runs the checks registered through Akka.Hosting with the host's services.
        var health = _services.GetService<HealthCheckService>();
        if (health is not null) builder.Services.AddSingleton(health);

        var app = builder.Build();
        // The MeterProvider of the host (AddPeerActorsOpenTelemetry); null when metrics are off.
        var meterProvider = _options.MetricsEnabled ? _services.GetService<MeterProvider>() : null;
        if (meterProvider is not null) PeerActors.Diagnostics.PeerActorsMetrics.PublishInitialValues();

        app.Use(AuthorizeAsync);
        if (meterProvider is not null)
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, ctx => ctx.Request.Path == MetricsPath, null, null, null);
        app.UseRouting();
        if (health is not null)
        {
            app.MapHealthChecks(LivenessPath, HealthOptions(NodeHealthChecks.LiveTag));
            app.MapHealthChecks(ReadinessPath, HealthOptions(NodeHealthChecks.ReadyTag));
        }
        app.MapGet(CommandsPrefix, ListCommandsAsync);
        app.MapPost(CommandsPrefix + "/{**path}", ExecuteAsync);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var port = address is null ? bind.Port : new Uri(address).Port;
        _endpoint.SetBound(new IPEndPoint(bind.Address, port));
        _log.LogInformation("Management endpoint listening on {Address} (token {TokenState}, metrics {Metrics})",
            _endpoint.HostAndPort, _options.HasToken ? "required" : "not required", meterProvider is not null ? MetricsPath : "off");
    }

    /// <summary>Path of the liveness endpoint.</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>Path of the readiness endpoint.</summary>
    public const string ReadinessPath = "/ready";

    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    private static HealthCheckOptions HealthOptions(string tag) => new()
    {
        Predicate = r => r.Tags.Contains(tag),
        ResponseWriter = WriteHealthAsync,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    /// <summary>Writes <c>{status, checks: {name: {status, description}}}</c>.</summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        var checks = new JsonObject();
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            checks[name] = new JsonObject { ["status"] = entry.Status.ToString(), ["description"] = entry.Description ?? entry.Exception?.Message };
        var body = new JsonObject { ["status"] = report.Status.ToString(), ["checks"] = checks };
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>Stops Kestrel.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes Kestrel (the process-wide metrics exporter stays).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    private async Task AuthorizeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (path == LivenessPath || path == ReadinessPath)
        {
            // Probes (kubelet, docker healthcheck) carry no credentials; the answer reveals only healthy/unhealthy.
            await next(context).ConfigureAwait(false);
            return;
        }
        var isMetrics = path.StartsWithSegments(MetricsPath, StringComparison.Ordinal);
        var needsToken = isMetrics ? _options.MetricsRequireToken : _options.HasToken;
        if (needsToken && !HasValidToken(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteResultAsync(context,
                CommandResult.Failure(ErrorCodes.Unauthorized, "missing or wrong management token (send 'Authorization: Bearer <token>')")).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    private bool HasValidToken(HttpRequest request)
    {
        if (_tokenHash is null) return false;
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        // Hash first so the comparison is constant-time regardless of the presented length.
        return CryptographicOperations.FixedTimeEquals(presented, _tokenHash);
    }

    private Task ListCommandsAsync(HttpContext context)
    {
        var list = new JsonArray();
        foreach (var c in _registry.Commands)
        {
            var args = new JsonArray();
            foreach (var a in c.Arguments)
            {
                args.Add(new JsonObject
                {
                    ["name"] = a.Name,
                    ["description"] = a.Description,
                    ["kind"] = a.Kind.ToString().ToLowerInvariant(),
                    ["required"] = a.Required,
                });
            }
            list.Add(new JsonObject
            {
                ["palette"] = c.Palette,
                ["name"] = c.Name,
                ["description"] = c.Description,
                ["arguments"] = args,
            });
        }
        var rows = _registry.Commands
            .Select(c => (IReadOnlyList<string?>)[c.Palette, c.Name, c.Description,
                string.Join(' ', c.Arguments.Select(a => a.Required ? $"<{a.Name}>" : $"[{a.Name}]"))])
            .ToList();
        var codes = new JsonObject();
        foreach (var (code, meaning) in ErrorCodes.All) codes[code] = meaning;
        return WriteResultAsync(context,
            CommandResult.Table(["palette", "command", "description", "arguments"], rows, new JsonObject
            {
                ["commands"] = list,
                ["askTimeoutMs"] = (long)_options.AskTimeout.TotalMilliseconds,
                ["errorCodes"] = codes,
            }));
    }

    private async Task ExecuteAsync(HttpContext context)
    {
        var path = context.Request.RouteValues["path"] as string ?? "";
        var words = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (words.Length < 2)
        {
            await WriteResultAsync(context,
                CommandResult.Failure(ErrorCodes.UnknownCommand, $"unknown command '{string.Join(' ', words)}': use /v1/commands/{{palette}}/{{command}}")).ConfigureAwait(false);
            return;
        }
        var palette = string.Join(' ', words[..^1]);
        var name = words[^1];
        if (!_registry.TryGet(palette, name, out var command))
        {
            var known = string.Join(", ", _registry.Commands.Select(c => $"'{c.Palette} {c.Name}'"));
            await WriteResultAsync(context,
                CommandResult.Failure(ErrorCodes.UnknownCommand, $"unknown command '{palette} {name}' on this node; registered: {known}")).ConfigureAwait(false);
            return;
        }

        JsonObject? body;
        try
        {
            var node = context.Request.ContentLength == 0
                ? null
                : await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = node switch
            {
                null => null,
                JsonObject o => o,
                _ => throw new JsonException("the request body must be a JSON object of arguments"),
            };
        }
        catch (JsonException ex)
        {
            await WriteResultAsync(context, CommandResult.Failure(ErrorCodes.InvalidInput, $"bad request body: {ex.Message}")).ConfigureAwait(false);
            return;
        }

        CommandResult result;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var system = _services.GetRequiredService<ActorSystem>();
            result = await command.ExecuteAsync(new CommandArguments(body), system, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidInputException ex)
        {
            result = CommandResult.Invalid(ex);
        }
        catch (ArgumentException ex)
        {
            result = CommandResult.Failure(ErrorCodes.InvalidInput, ex.Message);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TimeoutException
                                   || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            result = CommandResult.Failure(ErrorCodes.Timeout,
                $"command '{command.Palette} {command.Name}' got no answer within the node's ask timeout ({_options.AskTimeout.TotalSeconds:0.###} s): {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogWarning(ex, "Management command '{Palette} {Name}' failed", command.Palette, command.Name);
            result = CommandResult.Failure(ErrorCodes.Internal, $"command '{command.Palette} {command.Name}' failed: {ex.GetType().Name}: {ex.Message}");
        }
        _log.LogDebug("Management command '{Palette} {Name}' answered {Status} in {Ms:0.0} ms", command.Palette, command.Name,
            result.StatusFor(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await WriteResultAsync(context, result).ConfigureAwait(false);
    }

    private static async Task WriteResultAsync(HttpContext context, CommandResult result)
    {
        context.Response.StatusCode = result.StatusFor();
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, result, CommandResult.JsonOptions, context.RequestAborted).ConfigureAwait(false);
    }
}
