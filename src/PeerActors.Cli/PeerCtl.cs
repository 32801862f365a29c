using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeerActors.Cli;

/// <summary>
/// <c>peeractl</c>: a pbm-style client of a PeerActors node's management endpoint.
/// <c>peeractl [--host H:P] [--token T] [--json] &lt;palette&gt; &lt;command&gt; [args]</c>.
/// Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public static class PeerCtl
{
    /// <summary>Environment variable for the default of <c>--host</c>.</summary>
    public const string HostVariable = "PEERACTL_HOST";
    /// <summary>Environment variable for the default of <c>--token</c>.</summary>
    public const string TokenVariable = "PEERACTL_TOKEN";
    /// <summary>Host used when neither --host nor PEERACTL_HOST is given.</summary>
    public const string DefaultHost = "127.0.0.1:4080";

    /// <summary>Process exit codes.</summary>
    public static class ExitCodes
    {
        /// <summary>The command succeeded.</summary>
        public const int Ok = 0;
        /// <summary>The node ran the command and it failed (ok=false, bad arguments, server error).</summary>
        public const int CommandFailed = 1;
        /// <summary>Usage error: unknown command or option, missing argument, command unknown to the node.</summary>
        public const int Usage = 2;
        /// <summary>The node could not be reached (connection refused, timeout, bad host).</summary>
        public const int Unreachable = 3;
        /// <summary>The node refused the token (HTTP 401).</summary>
        public const int Unauthorized = 4;
    }

    /// <summary>Runs peeractl with the process environment.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, Environment.GetEnvironmentVariable, null, cancellationToken);

    /// <summary>
    /// Runs peeractl in-process.
    /// </summary>
    /// <param name="args">Command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="environment">Environment lookup (PEERACTL_HOST, PEERACTL_TOKEN).</param>
    /// <param name="handler">HTTP handler to use (null: a new SocketsHttpHandler).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment,
        HttpMessageHandler? handler, CancellationToken cancellationToken = default)
    {
        var hostOption = new Option<string?>("--host", "-H")
        {
            Description = $"node management endpoint host:port (env {HostVariable}; default {DefaultHost})",
            Recursive = true,
        };
        var tokenOption = new Option<string?>("--token")
        {
            Description = $"management token (env {TokenVariable})",
            Recursive = true,
        };
        var jsonOption = new Option<bool>("--json") { Description = "print the raw JSON result", Recursive = true };
        var timeoutOption = new Option<int>("--timeout")
        {
            Description = "request timeout in seconds",
            DefaultValueFactory = _ => 30,
            Recursive = true,
        };

        var root = new RootCommand("peeractl: manage a PeerActors node (palettes cluster, cluster sharding, actor, peer, limits, selector, bandwidth)");
        root.Options.Add(hostOption);
        root.Options.Add(tokenOption);
        root.Options.Add(jsonOption);
        root.Options.Add(timeoutOption);

        Task<int> Call(ParseResult pr, HttpMethod method, string path, JsonObject? body, CancellationToken ct) =>
            SendAsync(new Connection(
                    pr.GetValue(hostOption) ?? environment(HostVariable) ?? DefaultHost,
                    pr.GetValue(tokenOption) ?? environment(TokenVariable),
                    TimeSpan.FromSeconds(Math.Max(1, pr.GetValue(timeoutOption))),
                    handler),
                method, path, body, pr.GetValue(jsonOption), output, error, ct);

        foreach (var spec in CommandCatalog.Commands)
        {
            var command = new Command(spec.Path[^1], spec.Description);
            var bindings = new List<Func<ParseResult, (string Key, JsonNode? Value)?>>();
            foreach (var p in spec.Params)
            {
                if (p.Positional)
                {
                    var argument = new Argument<string?>(p.Name)
                    {
                        Description = p.Description,
                        Arity = p.Required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne,
                    };
                    command.Arguments.Add(argument);
                    bindings.Add(pr => pr.GetValue(argument) is { } v ? (p.Name, JsonValue.Create(v)) : null);
                    continue;
                }
                var optionName = "--" + CommandCatalog.Kebab(p.Name);
                switch (p.Kind)
                {
                    case CliParamKind.Int:
                        var intOption = new Option<int?>(optionName) { Description = p.Description, Required = p.Required };
                        command.Options.Add(intOption);
                        bindings.Add(pr => pr.GetValue(intOption) is { } v ? (p.Name, JsonValue.Create(v)) : null);
                        break;
                    case CliParamKind.Bool:
                        var boolOption = new Option<bool>(optionName) { Description = p.Description };
                        command.Options.Add(boolOption);
                        bindings.Add(pr => pr.GetValue(boolOption) ? (p.Name, JsonValue.Create(true)) : null);
                        break;
                    default:
                        var stringOption = new Option<string?>(optionName) { Description = p.Description, Required = p.Required };
                        command.Options.Add(stringOption);
                        bindings.Add(pr => pr.GetValue(stringOption) is { } v ? (p.Name, JsonValue.Create(v)) : null);
                        break;
                }
            }
            var argOption = ArgOption();
            command.Options.Add(argOption);
            var path = spec.Path;
            command.SetAction((pr, ct) =>
            {
                if (!TryBuildArgs(pr.GetValue(argOption), error, out var body)) return Task.FromResult(ExitCodes.Usage);
                foreach (var bind in bindings)
                    if (bind(pr) is { } kv) body[kv.Key] = kv.Value;
                return Call(pr, HttpMethod.Post, CommandPath(path), body, ct);
            });
            Parent(root, spec.Path[..^1]).Subcommands.Add(command);
        }

        var commands = new Command("commands", "List the commands the node has registered (GET /v1/commands)");
        commands.SetAction((pr, ct) => Call(pr, HttpMethod.Get, "v1/commands", null, ct));
        root.Subcommands.Add(commands);

        var words = new Argument<string[]>("words") { Description = "palette words then command name, e.g. peer show", Arity = ArgumentArity.OneOrMore };
        var execArgs = ArgOption();
        var exec = new Command("exec", "Run any command the node has registered: peeractl exec <palette...> <command> --arg key=value");
        exec.Arguments.Add(words);
        exec.Options.Add(execArgs);
        exec.SetAction((pr, ct) =>
        {
            var w = pr.GetValue(words) ?? [];
            if (w.Length < 2)
            {
                error.WriteLine("peeractl: error: exec needs a palette and a command name, e.g. 'peeractl exec peer show --arg id=abc'");
                return Task.FromResult(ExitCodes.Usage);
            }
            if (!TryBuildArgs(pr.GetValue(execArgs), error, out var body)) return Task.FromResult(ExitCodes.Usage);
            return Call(pr, HttpMethod.Post, CommandPath(w), body, ct);
        });
        root.Subcommands.Add(exec);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine($"peeractl: error: {e.Message}");
            error.WriteLine("Run 'peeractl --help' (or 'peeractl <palette> --help') for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    private static Option<string[]> ArgOption() => new("--arg")
    {
        Description = "extra argument key=value sent to the node (repeatable)",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Dictionary<string, string> PaletteDescriptions = new(StringComparer.Ordinal)
    {
        ["cluster"] = "Cluster membership: show, status, leave, down, down-unreachable, join; sub-palette sharding",
        ["sharding"] = "Cluster sharding: regions, region-stats",
        ["actor"] = "Actor tree: hierarchy",
        ["peer"] = "Peer reputation: show, top, forget",
        ["limits"] = "Resource limits (rcmgr): show, stat, set",
        ["selector"] = "Peer selection: select, summary",
        ["bandwidth"] = "Bandwidth attribution: top, export",
    };

    private static Command Parent(RootCommand root, string[] palette)
    {
        Command current = root;
        foreach (var word in palette)
        {
            var next = current.Subcommands.FirstOrDefault(c => c.Name == word);
            if (next is null)
            {
                next = new Command(word, PaletteDescriptions.GetValueOrDefault(word, $"{word} palette"));
                current.Subcommands.Add(next);
            }
            current = next;
        }
        return current;
    }

    private static string CommandPath(IEnumerable<string> words) =>
        "v1/commands/" + string.Join('/', words.Select(Uri.EscapeDataString));

    private static bool TryBuildArgs(string[]? pairs, TextWriter error, out JsonObject body)
    {
        body = new JsonObject();
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                error.WriteLine($"peeractl: error: --arg expects key=value, got '{pair}'");
                return false;
            }
            body[pair[..eq]] = pair[(eq + 1)..];
        }
        return true;
    }

    private sealed record Connection(string Host, string? Token, TimeSpan Timeout, HttpMessageHandler? Handler);

    private static async Task<int> SendAsync(Connection connection, HttpMethod method, string path, JsonObject? body, bool json,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        var hostText = connection.Host.Contains("://", StringComparison.Ordinal) ? connection.Host : "http://" + connection.Host;
        if (!Uri.TryCreate(hostText.EndsWith('/') ? hostText : hostText + "/", UriKind.Absolute, out var baseUri) || baseUri.Port <= 0)
        {
            error.WriteLine($"peeractl: error: bad --host '{connection.Host}' (expected host:port, e.g. {DefaultHost})");
            return ExitCodes.Usage;
        }

        using var client = connection.Handler is null
            ? new HttpClient()
            : new HttpClient(connection.Handler, disposeHandler: false);
        client.BaseAddress = baseUri;
        client.Timeout = connection.Timeout;
        using var request = new HttpRequestMessage(method, path);
        if (!string.IsNullOrEmpty(connection.Token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.Token);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

        HttpResponseMessage response;
        string text;
        try
        {
            response = await client.SendAsync(request, ct).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException se ? se.SocketErrorCode.ToString() : ex.Message;
            error.WriteLine($"peeractl: error: cannot reach node at {baseUri}: {reason}. Is the node running and is --host (or {HostVariable}) right?");
            return ExitCodes.Unreachable;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            error.WriteLine($"peeractl: error: node at {baseUri} did not answer within {connection.Timeout.TotalSeconds:0} s");
            return ExitCodes.Unreachable;
        }

        using (response)
        {
            JsonElement result;
            try
            {
                result = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                error.WriteLine($"peeractl: error: node answered {(int)response.StatusCode} {response.ReasonPhrase} with a body that is not a command result");
                return response.StatusCode == HttpStatusCode.Unauthorized ? ExitCodes.Unauthorized : ExitCodes.CommandFailed;
            }

            var ok = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("ok", out var okValue) && okValue.ValueKind == JsonValueKind.True;
            var message = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("error", out var e) ? e.GetString() : null;

            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                error.WriteLine($"peeractl: error: 401 unauthorized: {message ?? "token required"}. Pass --token or set {TokenVariable}.");
                return ExitCodes.Unauthorized;
            }
            if (json) ResultRenderer.WriteJson(result, output);
            if (ok && response.IsSuccessStatusCode)
            {
                if (!json) ResultRenderer.WriteHuman(result, output);
                return ExitCodes.Ok;
            }
            var status = (int)response.StatusCode;
            error.WriteLine($"peeractl: error: {message ?? $"node answered {status} {response.ReasonPhrase}"}" + (status == 404 ? " (try 'peeractl commands')" : ""));
            return response.StatusCode == HttpStatusCode.NotFound ? ExitCodes.Usage : ExitCodes.CommandFailed;
        }
    }
}
