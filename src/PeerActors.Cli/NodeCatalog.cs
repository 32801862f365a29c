using System.Text.Json;

namespace PeerActors.Cli;

/// <summary>One argument of a command as the node describes it (<c>GET /v1/commands</c>).</summary>
/// <param name="Name">JSON key (camelCase); as an option it is spelled in kebab-case (<c>maxChildren</c> → <c>--max-children</c>).</param>
/// <param name="Description">Help text.</param>
/// <param name="Kind"><c>string</c>, <c>int</c>, <c>bool</c> or <c>number</c>.</param>
/// <param name="Required">True when the command fails without it.</param>
public sealed record RemoteArgument(string Name, string Description, string Kind, bool Required)
{
    /// <summary>The option spelling, <c>--kebab-case</c>.</summary>
    public string OptionName => "--" + Kebab(Name);

    /// <summary>camelCase → kebab-case ("maxChildren" → "max-children").</summary>
    public static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i == 0 ? "" : "-") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>One command the node has registered.</summary>
/// <param name="Path">Palette words then the command name, e.g. ["cluster", "sharding", "regions"].</param>
/// <param name="Description">Help text.</param>
/// <param name="Arguments">Arguments in the node's order.</param>
public sealed record RemoteCommand(IReadOnlyList<string> Path, string Description, IReadOnlyList<RemoteArgument> Arguments)
{
    /// <summary>
    /// Arguments given positionally, in order: the required ones; for a command without required arguments, its first
    /// text argument as an optional positional (<c>cluster leave [address]</c>, <c>limits stat [scope]</c>).
    /// </summary>
    public IReadOnlyList<RemoteArgument> Positionals =>
        Arguments.Any(a => a.Required)
            ? Arguments.Where(a => a.Required).ToList()
            : Arguments.Take(1).Where(a => a.Kind == "string").ToList();

    /// <summary>Arguments given as <c>--options</c> (all the others).</summary>
    public IReadOnlyList<RemoteArgument> Options => Arguments.Except(Positionals).ToList();

    /// <summary>"palette words name".</summary>
    public string Key => string.Join(' ', Path);
}

/// <summary>
/// The commands a node serves (<c>GET /v1/commands</c>), its ask timeout and its error codes: peeractl builds its
/// palettes, help and completion from this, so a command added on the node is usable without a new peeractl.
/// </summary>
public sealed class NodeCatalog
{
    /// <summary>Words that peeractl itself understands besides the node's palettes.</summary>
    public static readonly IReadOnlyList<string> BuiltIns = ["commands", "exec", "help"];

    /// <summary>Words understood only by the interactive shell.</summary>
    public static readonly IReadOnlyList<string> ShellWords = ["history", "exit", "quit"];

    /// <summary>Creates a catalog.</summary>
    public NodeCatalog(IReadOnlyList<RemoteCommand> commands, TimeSpan askTimeout)
    {
        Commands = commands;
        AskTimeout = askTimeout;
    }

    /// <summary>The node's commands ordered by key.</summary>
    public IReadOnlyList<RemoteCommand> Commands { get; }

    /// <summary>The node's own ask timeout (<c>data.askTimeoutMs</c>): how long a command may wait for actors.</summary>
    public TimeSpan AskTimeout { get; }

    /// <summary>Reads the <c>data</c> of a <c>GET /v1/commands</c> result.</summary>
    /// <exception cref="JsonException">The result is not a command list.</exception>
    public static NodeCatalog FromResult(JsonElement result)
    {
        if (!result.TryGetProperty("data", out var data) || !data.TryGetProperty("commands", out var list))
            throw new JsonException("the node's /v1/commands answer has no data.commands");
        var commands = new List<RemoteCommand>();
        foreach (var c in list.EnumerateArray())
        {
            var palette = c.GetProperty("palette").GetString() ?? "";
            var name = c.GetProperty("name").GetString() ?? "";
            var args = c.TryGetProperty("arguments", out var a)
                ? a.EnumerateArray().Select(x => new RemoteArgument(
                    x.GetProperty("name").GetString() ?? "",
                    x.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "",
                    x.TryGetProperty("kind", out var k) ? k.GetString() ?? "string" : "string",
                    x.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True)).ToList()
                : [];
            var path = palette.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(name).ToList();
            commands.Add(new RemoteCommand(path, c.TryGetProperty("description", out var desc) ? desc.GetString() ?? "" : "", args));
        }
        var askTimeout = data.TryGetProperty("askTimeoutMs", out var t) && t.TryGetInt64(out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.FromSeconds(5);
        return new NodeCatalog(commands.OrderBy(c => c.Key, StringComparer.Ordinal).ToList(), askTimeout);
    }

    /// <summary>
    /// Completion candidates for the word being typed at the end of <paramref name="line"/> (empty after a space: all
    /// candidates of the next position): peeractl's own words and the node's palettes at the start, the next palette
    /// words or command names inside a palette, and a command's <c>--options</c> once the command is complete.
    /// </summary>
    /// <param name="line">The text before the cursor.</param>
    /// <param name="shell">True inside the interactive shell (adds <c>history</c>, <c>exit</c>, <c>quit</c>).</param>
    /// <returns>Sorted, distinct candidates starting with the partial word.</returns>
    public IReadOnlyList<string> Complete(string line, bool shell = false)
    {
        var words = CommandLine.Split(line);
        var partial = line.Length > 0 && !char.IsWhiteSpace(line[^1]) && words.Count > 0 ? words[^1] : "";
        var done = partial.Length > 0 ? words.Take(words.Count - 1).ToList() : words;
        IEnumerable<string> candidates;
        var command = Commands.FirstOrDefault(c => done.Count >= c.Path.Count && c.Path.SequenceEqual(done.Take(c.Path.Count)));
        if (command is not null)
        {
            candidates = command.Options.Select(o => o.OptionName).Append("--arg");
        }
        else
        {
            candidates = Commands
                .Where(c => c.Path.Count > done.Count && c.Path.Take(done.Count).SequenceEqual(done))
                .Select(c => c.Path[done.Count]);
            if (done.Count == 0) candidates = candidates.Concat(BuiltIns).Concat(shell ? ShellWords : []);
        }
        return candidates.Where(c => c.StartsWith(partial, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToList();
    }
}

/// <summary>Splits a command line into words, shell style: whitespace separates, '…' and "…" quote.</summary>
public static class CommandLine
{
    /// <summary>The words of <paramref name="line"/>.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var inWord = false;
        char quote = '\0';
        foreach (var c in line)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else current.Append(c);
                continue;
            }
            if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
                continue;
            }
            current.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
