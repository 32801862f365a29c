using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeerActors.Core.Errors;

namespace PeerActors.Cli;

/// <summary>
/// <c>peeractl</c>: a pbm-style client of a PeerActors node's management endpoint. It first asks the node which
/// commands it serves (<c>GET /v1/commands</c>) and builds its palettes, help and completion from the answer, so a
/// command added on the node is usable at once. <c>peeractl [-H host:port] [--token T] [--json] [--timeout S]
/// &lt;palette...&gt; &lt;command&gt; [args]</c>; without a command it starts an interactive shell
/// (<see cref="InteractiveShell"/>). Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public static class PeerCtl
{
    /// <summary>Environment variable for the default of <c>--host</c>.</summary>
    public const string HostVariable = "PEERACTL_HOST";
    /// <summary>Environment variable for the default of <c>--token</c>.</summary>
    public const string TokenVariable = "PEERACTL_TOKEN";
    /// <summary>Host used when neither --host nor PEERACTL_HOST is given.</summary>
    public const string DefaultHost = "127.0.0.1:4080";
    /// <summary>Added to the node's ask timeout for the HTTP round trip of a command.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    /// <summary>Timeout of the discovery request (<c>GET /v1/commands</c>) when <c>--timeout</c> is not given.</summary>
    public static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Process exit codes.</summary>
    public static class ExitCodes
    {
        /// <summary>The command succeeded.</summary>
        public const int Ok = 0;
        /// <summary>The node ran the command and it failed (a refusal such as <c>peer-not-found</c>, <c>timeout</c>, <c>internal</c>, <c>unavailable</c>).</summary>
        public const int CommandFailed = 1;
        /// <summary>Usage error: unknown command or option, missing or invalid argument (HTTP 400 <c>invalid-input</c>, 404 <c>unknown-command</c>).</summary>
        public const int Usage = 2;
        /// <summary>The node could not be reached (connection refused, bad host): <c>unreachable</c>.</summary>
        public const int Unreachable = 3;
        /// <summary>The node refused the token (HTTP 401 <c>unauthorized</c>).</summary>
        public const int Unauthorized = 4;
    }

    /// <summary>The exit code of a failure code (<see cref="ErrorCodes"/>).</summary>
    public static int ExitCodeFor(string? code) => code switch
    {
        null => ExitCodes.Ok,
        ErrorCodes.InvalidInput or ErrorCodes.UnknownCommand => ExitCodes.Usage,
        ErrorCodes.Unauthorized => ExitCodes.Unauthorized,
        ErrorCodes.Unreachable => ExitCodes.Unreachable,
        _ => ExitCodes.CommandFailed,
    };

    /// <summary>Runs peeractl with the process environment and console.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, Console.In, output, error, Environment.GetEnvironmentVariable, null, cancellationToken);

    /// <summary>Runs peeractl in-process without standard input (no interactive shell input).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment,
        HttpMessageHandler? handler, CancellationToken cancellationToken = default) =>
        RunAsync(args, TextReader.Null, output, error, environment, handler, cancellationToken);

    /// <summary>Runs peeractl in-process.</summary>
    /// <param name="args">Command line.</param>
    /// <param name="input">Standard input (lines of the interactive shell).</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="environment">Environment lookup (PEERACTL_HOST, PEERACTL_TOKEN, PEERACTL_HISTORY, HOME).</param>
    /// <param name="handler">HTTP handler to use (null: a new SocketsHttpHandler).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, Func<string, string?> environment,
        HttpMessageHandler? handler, CancellationToken cancellationToken = default)
    {
        var globals = Globals.Scan(args, environment);
        if (globals.Error is { } usage)
        {
            error.WriteLine($"peeractl: error: {usage}");
            return ExitCodes.Usage;
        }
        var session = new Session(globals, handler, output, error);
        var (catalog, failure) = await session.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        if (catalog is null)
        {
            if (args.Contains("--help") || args.Contains("-h"))
            {
                BuildRoot(new NodeCatalog([], TimeSpan.Zero), session).Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output, Error = error });
                error.WriteLine("(the node was not reached: its palettes are listed once it answers)");
                return ExitCodes.Ok;
            }
            return failure;
        }
        session.Catalog = catalog;
        if (globals.CommandWords == 0 && !args.Contains("--help") && !args.Contains("-h") && !args.Contains("--version"))
            return await new InteractiveShell(session, input, args, environment).RunAsync(cancellationToken).ConfigureAwait(false);
        return await InvokeAsync(session, args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses and runs one command line against a discovered node.</summary>
    internal static async Task<int> InvokeAsync(Session session, string[] args, CancellationToken cancellationToken)
    {
        var root = BuildRoot(session.Catalog!, session);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var unknown = UnknownCommand(session.Catalog!, args);
            if (unknown is not null) session.Error.WriteLine($"peeractl: error: {unknown}");
            else foreach (var e in parse.Errors) session.Error.WriteLine($"peeractl: error: {e.Message}");
            session.Error.WriteLine("Run 'peeractl --help' (or 'peeractl <palette> --help') for usage, 'peeractl commands' for the node's commands.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = session.Output, Error = session.Error }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A message naming an unknown command and the node's commands, or null when the words start a known one.</summary>
    private static string? UnknownCommand(NodeCatalog catalog, string[] args)
    {
        var words = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--host" or "-H" or "--token" or "--timeout") { i++; continue; }
            if (args[i] == "--json") continue;
            if (args[i].StartsWith('-')) break;
            words.Add(args[i]);
        }
        if (words.Count == 0 || NodeCatalog.BuiltIns.Contains(words[0])) return null;
        if (catalog.Commands.Any(c => c.Path.Count <= words.Count && c.Path.SequenceEqual(words.Take(c.Path.Count)))) return null;
        if (catalog.Commands.Any(c => c.Path.Count > words.Count && c.Path.Take(words.Count).SequenceEqual(words))) return null;
        var known = 0; // palette words the node knows, then the one word it does not
        while (known < words.Count && catalog.Commands.Any(c => c.Path.Count > known + 1 && c.Path.Take(known + 1).SequenceEqual(words.Take(known + 1)))) known++;
        var typed = string.Join(' ', words.Take(Math.Max(known + 1, Math.Min(2, words.Count))));
        var registered = string.Join(", ", catalog.Commands.Select(c => $"'{c.Key}'"));
        return $"unknown command '{typed}' on this node; registered: {registered}";
    }

    /// <summary>Builds the command tree from the node's catalog.</summary>
    internal static RootCommand BuildRoot(NodeCatalog catalog, Session session)
    {
        var root = new RootCommand("peeractl: manage a PeerActors node; palettes and commands come from the node (GET /v1/commands). Without a command: interactive shell.");
        foreach (var option in Globals.Options()) root.Options.Add(option);

        foreach (var spec in catalog.Commands)
        {
            var command = new Command(spec.Path[^1], spec.Description);
            var bindings = new List<Func<ParseResult, (string Key, JsonNode? Value)?>>();
            foreach (var p in spec.Positionals)
            {
                var argument = new Argument<string?>(p.Name)
                {
                    Description = p.Description,
                    Arity = p.Required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne,
                };
                command.Arguments.Add(argument);
                var kind = p.Kind;
                if (p.Required)
                {
                    bindings.Add(pr => pr.GetValue(argument) is { } v ? (p.Name, Typed(kind, v)) : null);
                    continue;
                }
                // An optional positional may also be given as its option (--format csv or just csv).
                var alias = new Option<string?>(p.OptionName) { Description = p.Description };
                command.Options.Add(alias);
                bindings.Add(pr => (pr.GetValue(argument) ?? pr.GetValue(alias)) is { } v ? (p.Name, Typed(kind, v)) : null);
            }
            foreach (var p in spec.Options)
            {
                switch (p.Kind)
                {
                    case "int":
                        var intOption = new Option<long?>(p.OptionName) { Description = p.Description, Required = p.Required };
                        command.Options.Add(intOption);
                        bindings.Add(pr => pr.GetValue(intOption) is { } v ? (p.Name, JsonValue.Create(v)) : null);
                        break;
                    case "number":
                        var numberOption = new Option<double?>(p.OptionName) { Description = p.Description, Required = p.Required };
                        command.Options.Add(numberOption);
                        bindings.Add(pr => pr.GetValue(numberOption) is { } v ? (p.Name, JsonValue.Create(v)) : null);
                        break;
                    case "bool":
                        var boolOption = new Option<bool>(p.OptionName) { Description = p.Description };
                        command.Options.Add(boolOption);
                        bindings.Add(pr => pr.GetValue(boolOption) ? (p.Name, JsonValue.Create(true)) : null);
                        break;
                    default:
                        var stringOption = new Option<string?>(p.OptionName) { Description = p.Description, Required = p.Required };
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
                if (!TryBuildArgs(pr.GetValue(argOption), session.Error, out var body)) return Task.FromResult(ExitCodes.Usage);
                foreach (var bind in bindings)
                    if (bind(pr) is { } kv) body[kv.Key] = kv.Value;
                return session.SendAsync(HttpMethod.Post, CommandPath(path), body, pr.GetValue(Globals.Json), ct);
            });
            Parent(root, spec.Path.Take(spec.Path.Count - 1).ToArray(), catalog).Subcommands.Add(command);
        }

        var commands = new Command("commands", "List the commands the node has registered (GET /v1/commands)");
        commands.SetAction((pr, ct) => session.SendAsync(HttpMethod.Get, "v1/commands", null, pr.GetValue(Globals.Json), ct));
        root.Subcommands.Add(commands);

        var words = new Argument<string[]>("words") { Description = "palette words then command name, e.g. peer show", Arity = ArgumentArity.OneOrMore };
        var execArgs = ArgOption();
        var exec = new Command("exec", "Run any command the node has registered with raw arguments: peeractl exec <palette...> <command> --arg key=value");
        exec.Arguments.Add(words);
        exec.Options.Add(execArgs);
        exec.SetAction((pr, ct) =>
        {
            var w = pr.GetValue(words) ?? [];
            if (w.Length < 2)
            {
                session.Error.WriteLine("peeractl: error: exec needs a palette and a command name, e.g. 'peeractl exec peer show --arg id=abc'");
                return Task.FromResult(ExitCodes.Usage);
            }
            if (!TryBuildArgs(pr.GetValue(execArgs), session.Error, out var body)) return Task.FromResult(ExitCodes.Usage);
            return session.SendAsync(HttpMethod.Post, CommandPath(w), body, pr.GetValue(Globals.Json), ct);
        });
        root.Subcommands.Add(exec);
        return root;
    }

    /// <summary>A positional value as JSON of its declared kind (numbers stay numbers when they parse).</summary>
    private static JsonNode? Typed(string kind, string text) => kind switch
    {
        "int" when long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        "number" when double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        _ => JsonValue.Create(text),
    };

    private static Option<string[]> ArgOption() => new("--arg")
    {
        Description = "extra argument key=value sent to the node (repeatable)",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static Command Parent(RootCommand root, string[] palette, NodeCatalog catalog)
    {
        Command current = root;
        for (var i = 0; i < palette.Length; i++)
        {
            var word = palette[i];
            var next = current.Subcommands.FirstOrDefault(c => c.Name == word);
            if (next is null)
            {
                var prefix = palette.Take(i + 1).ToList();
                var names = catalog.Commands.Where(c => c.Path.Count > prefix.Count && c.Path.Take(prefix.Count).SequenceEqual(prefix))
                    .Select(c => c.Path[prefix.Count]).Distinct(StringComparer.Ordinal);
                next = new Command(word, $"{string.Join(' ', prefix)} palette: {string.Join(", ", names)}");
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

    /// <summary>Global options, scanned before the node is asked for its commands.</summary>
    internal sealed record Globals(string Host, string? Token, TimeSpan? Timeout, int CommandWords, string? Error)
    {
        public static readonly Option<string?> HostOption = new("--host", "-H")
        {
            Description = $"node management endpoint host:port (env {HostVariable}; default {DefaultHost})",
            Recursive = true,
        };
        public static readonly Option<string?> TokenOption = new("--token") { Description = $"management token (env {TokenVariable})", Recursive = true };
        public static readonly Option<bool> Json = new("--json") { Description = "print the raw JSON result", Recursive = true };
        public static readonly Option<int?> TimeoutOption = new("--timeout")
        {
            Description = "seconds to wait for the node; never less than the node's own ask timeout plus 5 s",
            Recursive = true,
        };

        public static IEnumerable<Option> Options() => [HostOption, TokenOption, Json, TimeoutOption];

        public static Globals Scan(string[] args, Func<string, string?> environment)
        {
            string? host = null, token = null, error = null;
            TimeSpan? timeout = null;
            var words = 0;
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                string? Value() => i + 1 < args.Length ? args[++i] : null;
                switch (a)
                {
                    case "--host" or "-H": host = Value(); break;
                    case "--token": token = Value(); break;
                    case "--timeout":
                        var t = Value();
                        if (!int.TryParse(t, out var s) || s <= 0) error = $"--timeout expects a positive number of seconds, got '{t}'";
                        else timeout = TimeSpan.FromSeconds(s);
                        break;
                    case "--json": break;
                    default:
                        if (a.StartsWith("--host=", StringComparison.Ordinal)) host = a[7..];
                        else if (a.StartsWith("--token=", StringComparison.Ordinal)) token = a[8..];
                        else words++;
                        break;
                }
            }
            return new Globals(host ?? environment(HostVariable) ?? DefaultHost, token ?? environment(TokenVariable), timeout, words, error);
        }
    }

    /// <summary>One connection to a node: HTTP, discovery, rendering of results, exit codes.</summary>
    internal sealed class Session(Globals globals, HttpMessageHandler? handler, TextWriter output, TextWriter error)
    {
        public TextWriter Output { get; } = output;
        public TextWriter Error { get; } = error;
        public NodeCatalog? Catalog { get; set; }
        public string Host => globals.Host;
        public string[] GlobalArgs => globals.Token is null ? ["--host", globals.Host] : ["--host", globals.Host, "--token", globals.Token];

        /// <summary>
        /// The HTTP timeout of a command: the node's ask timeout plus <see cref="Grace"/>, or <c>--timeout</c> when
        /// larger (a smaller <c>--timeout</c> would report a slow but healthy node as unreachable).
        /// </summary>
        public TimeSpan CommandTimeout
        {
            get
            {
                var budget = (Catalog?.AskTimeout ?? TimeSpan.Zero) + Grace;
                return globals.Timeout is { } t && t > budget ? t : budget;
            }
        }

        public async Task<(NodeCatalog? Catalog, int ExitCode)> DiscoverAsync(CancellationToken ct)
        {
            var (code, result) = await RequestAsync(HttpMethod.Get, "v1/commands", null, globals.Timeout ?? DiscoveryTimeout, ct).ConfigureAwait(false);
            if (result is not { } r) return (null, code);
            if (code != ExitCodes.Ok)
            {
                Report(r, code);
                return (null, code);
            }
            try
            {
                return (NodeCatalog.FromResult(r), ExitCodes.Ok);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                Error.WriteLine($"peeractl: error: the node at {globals.Host} did not answer /v1/commands with a command list: {e.Message}");
                return (null, ExitCodes.CommandFailed);
            }
        }

        public async Task<int> SendAsync(HttpMethod method, string path, JsonObject? body, bool json, CancellationToken ct)
        {
            var (code, result) = await RequestAsync(method, path, body, CommandTimeout, ct).ConfigureAwait(false);
            if (result is not { } r) return code;
            if (json) ResultRenderer.WriteJson(r, Output);
            if (code == ExitCodes.Ok)
            {
                if (!json) ResultRenderer.WriteHuman(r, Output);
                return code;
            }
            Report(r, code);
            return code;
        }

        private void Report(JsonElement result, int code)
        {
            var message = result.TryGetProperty("error", out var e) ? e.GetString() : null;
            var errorCode = result.TryGetProperty("code", out var c) ? c.GetString() : null;
            var hint = code switch
            {
                ExitCodes.Unauthorized => $" Pass --token or set {TokenVariable}.",
                ExitCodes.Usage when errorCode == ErrorCodes.UnknownCommand => " (try 'peeractl commands')",
                _ => "",
            };
            var status = code == ExitCodes.Unauthorized ? "401 " : "";
            Error.WriteLine($"peeractl: error: {status}{errorCode ?? "failed"}: {message ?? "no message"}{hint}");
        }

        /// <summary>Sends one request; the exit code and the parsed result (null when there is none: reported already).</summary>
        private async Task<(int Code, JsonElement? Result)> RequestAsync(HttpMethod method, string path, JsonObject? body, TimeSpan timeout, CancellationToken ct)
        {
            var hostText = globals.Host.Contains("://", StringComparison.Ordinal) ? globals.Host : "http://" + globals.Host;
            if (!Uri.TryCreate(hostText.EndsWith('/') ? hostText : hostText + "/", UriKind.Absolute, out var baseUri) || baseUri.Port <= 0)
            {
                Error.WriteLine($"peeractl: error: bad --host '{globals.Host}' (expected host:port, e.g. {DefaultHost})");
                return (ExitCodes.Usage, null);
            }
            using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
            client.BaseAddress = baseUri;
            client.Timeout = timeout;
            using var request = new HttpRequestMessage(method, path);
            if (!string.IsNullOrEmpty(globals.Token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", globals.Token);
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
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
                Error.WriteLine($"peeractl: error: {ErrorCodes.Unreachable}: cannot reach node at {baseUri}: {reason}. Is the node running and is --host (or {HostVariable}) right?");
                return (ExitCodes.Unreachable, null);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // The node answered discovery (or accepted the connection) but not this request in time.
                var reached = Catalog is not null;
                Error.WriteLine(reached
                    ? $"peeractl: error: {ErrorCodes.Timeout}: node at {baseUri} did not answer within {timeout.TotalSeconds:0.#} s (its ask timeout is {Catalog!.AskTimeout.TotalSeconds:0.#} s)"
                    : $"peeractl: error: {ErrorCodes.Unreachable}: node at {baseUri} did not answer within {timeout.TotalSeconds:0.#} s");
                return (reached ? ExitCodes.CommandFailed : ExitCodes.Unreachable, null);
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
                    Error.WriteLine($"peeractl: error: node answered {(int)response.StatusCode} {response.ReasonPhrase} with a body that is not a command result");
                    return (response.StatusCode == HttpStatusCode.Unauthorized ? ExitCodes.Unauthorized : ExitCodes.CommandFailed, null);
                }
                var ok = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("ok", out var okValue) && okValue.ValueKind == JsonValueKind.True;
                if (ok && response.IsSuccessStatusCode) return (ExitCodes.Ok, result);
                var code = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("code", out var c) ? c.GetString() : null;
                code ??= response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized => ErrorCodes.Unauthorized,
                    HttpStatusCode.BadRequest => ErrorCodes.InvalidInput,
                    HttpStatusCode.NotFound => ErrorCodes.UnknownCommand,
                    _ => ErrorCodes.Internal,
                };
                return (ExitCodeFor(code), result);
            }
        }
    }
}
