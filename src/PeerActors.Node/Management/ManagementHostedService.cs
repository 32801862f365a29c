using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeerActors.Node.Metrics;

namespace PeerActors.Node.Management;

/// <summary>
/// Runs the management endpoint: a private Kestrel <see cref="WebApplication"/> inside the node process,
/// started and stopped with the host. Routes:
/// <list type="bullet">
/// <item><c>GET /v1/commands</c> — registered commands (palette, name, description, arguments).</item>
/// <item><c>POST /v1/commands/{palette words...}/{name}</c> — body: JSON object of arguments; answer: <see cref="CommandResult"/>.
/// 200 ok or ok=false, 400 bad arguments, 401 missing/wrong token, 404 unknown command, 500 command crashed.</item>
/// <item><c>GET /metrics</c> — Prometheus text of the <c>PeerActors*</c> meters (when enabled).</item>
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
    private PrometheusMeterExporter? _exporter;

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

        var app = builder.Build();
        if (_options.MetricsEnabled) _exporter = PrometheusMeterExporter.Shared;

        app.Use(AuthorizeAsync);
        app.UseRouting();
        app.MapGet(CommandsPrefix, ListCommandsAsync);
        app.MapPost(CommandsPrefix + "/{**path}", ExecuteAsync);
        if (_exporter is not null) app.MapGet("/metrics", ScrapeAsync);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var port = address is null ? bind.Port : new Uri(address).Port;
        _endpoint.SetBound(new IPEndPoint(bind.Address, port));
        _log.LogInformation("Management endpoint listening on {Address} (token {TokenState}, metrics {Metrics})",
            _endpoint.HostAndPort, _options.HasToken ? "required" : "not required", _options.MetricsEnabled ? "/metrics" : "off");
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
        var isMetrics = context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal);
        var needsToken = isMetrics ? _options.MetricsRequireToken : _options.HasToken;
        if (needsToken && !HasValidToken(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteResultAsync(context, StatusCodes.Status401Unauthorized,
                CommandResult.Failure("unauthorized: missing or wrong management token (send 'Authorization: Bearer <token>')")).ConfigureAwait(false);
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
        return WriteResultAsync(context, StatusCodes.Status200OK,
            CommandResult.Table(["palette", "command", "description", "arguments"], rows, new JsonObject { ["commands"] = list }));
    }

    private async Task ExecuteAsync(HttpContext context)
    {
        var path = context.Request.RouteValues["path"] as string ?? "";
        var words = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (words.Length < 2)
        {
            await WriteResultAsync(context, StatusCodes.Status404NotFound,
                CommandResult.Failure($"unknown command '{string.Join(' ', words)}': use /v1/commands/{{palette}}/{{command}}")).ConfigureAwait(false);
            return;
        }
        var palette = string.Join(' ', words[..^1]);
        var name = words[^1];
        if (!_registry.TryGet(palette, name, out var command))
        {
            var known = string.Join(", ", _registry.Commands.Select(c => $"'{c.Palette} {c.Name}'"));
            await WriteResultAsync(context, StatusCodes.Status404NotFound,
                CommandResult.Failure($"unknown command '{palette} {name}' on this node; registered: {known}")).ConfigureAwait(false);
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
            await WriteResultAsync(context, StatusCodes.Status400BadRequest, CommandResult.Failure($"bad request body: {ex.Message}")).ConfigureAwait(false);
            return;
        }

        int status;
        CommandResult result;
        try
        {
            var system = _services.GetRequiredService<ActorSystem>();
            result = await command.ExecuteAsync(new CommandArguments(body), system, context.RequestAborted).ConfigureAwait(false);
            status = StatusCodes.Status200OK;
        }
        catch (ArgumentException ex)
        {
            (status, result) = (StatusCodes.Status400BadRequest, CommandResult.Failure(ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            _log.LogWarning(ex, "Management command '{Palette} {Name}' failed", command.Palette, command.Name);
            (status, result) = (StatusCodes.Status500InternalServerError,
                CommandResult.Failure($"command '{command.Palette} {command.Name}' failed: {ex.GetType().Name}: {ex.Message}"));
        }
        await WriteResultAsync(context, status, result).ConfigureAwait(false);
    }

    private async Task ScrapeAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = PrometheusMeterExporter.ContentType;
        await _exporter!.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteResultAsync(HttpContext context, int status, CommandResult result)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, result, CommandResult.JsonOptions, context.RequestAborted).ConfigureAwait(false);
    }
}
