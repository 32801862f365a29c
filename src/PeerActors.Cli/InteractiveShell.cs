using System.Text;

namespace PeerActors.Cli;

/// <summary>
/// <c>peeractl -H host:port</c> without a command: a pbm-style session. Each line is a peeractl command line
/// (<c>cluster show</c>, <c>peer top --count 5</c>, <c>commands</c>, …) run against the node discovered at start;
/// <c>history</c> lists the lines of the session, <c>exit</c>/<c>quit</c> (or end of input) ends it.
/// </summary>
/// <remarks>
/// On a terminal, Tab completes palettes, commands and options from the node's catalog (<see cref="NodeCatalog.Complete"/>),
/// Up/Down walk the history, which is kept in <c>PEERACTL_HISTORY</c> (default <c>~/.peeractl_history</c>). With
/// redirected input (scripts, tests) lines are read as they are; a line holding a Tab character prints the completions of
/// the text before it, one per line, instead of running.
/// </remarks>
internal sealed class InteractiveShell(PeerCtl.Session session, TextReader input, string[] globalArgs, Func<string, string?> environment)
{
    private const string Prompt = "peeractl> ";
    private readonly List<string> _history = [];

    /// <summary>Runs the session; 0 at the end of input or on <c>exit</c>.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var terminal = ReferenceEquals(input, Console.In) && !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var historyFile = terminal ? HistoryFile() : null;
        if (historyFile is not null && File.Exists(historyFile)) _history.AddRange(File.ReadLines(historyFile).TakeLast(500));
        var sessionStart = _history.Count;
        session.Output.WriteLine($"peeractl: connected to {session.Host} ({session.Catalog!.Commands.Count} commands). Tab completes, 'history', 'exit'.");
        while (!cancellationToken.IsCancellationRequested)
        {
            var line = terminal ? ReadLineWithEditing() : await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null) break;
            var tab = line.IndexOf('\t');
            if (tab >= 0)
            {
                foreach (var candidate in session.Catalog.Complete(line[..tab], shell: true)) session.Output.WriteLine(candidate);
                continue;
            }
            var words = CommandLine.Split(line);
            if (words.Count == 0) continue;
            _history.Add(line.Trim());
            if (historyFile is not null) await File.AppendAllLinesAsync(historyFile, [line.Trim()], cancellationToken).ConfigureAwait(false);
            switch (words[0])
            {
                case "exit" or "quit":
                    return PeerCtl.ExitCodes.Ok;
                case "history":
                    var shown = _history.Skip(terminal ? 0 : sessionStart).ToList();
                    for (var i = 0; i < shown.Count; i++) session.Output.WriteLine($"{i + 1,4}  {shown[i]}");
                    continue;
                case "help":
                    words = ["--help"];
                    break;
            }
            var code = await PeerCtl.InvokeAsync(session, [.. globalArgs, .. words], cancellationToken).ConfigureAwait(false);
            if (code != PeerCtl.ExitCodes.Ok) session.Error.WriteLine($"(exit code {code})");
        }
        return PeerCtl.ExitCodes.Ok;
    }

    private string? HistoryFile()
    {
        var configured = environment("PEERACTL_HISTORY");
        if (!string.IsNullOrEmpty(configured)) return configured;
        var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".peeractl_history");
    }

    /// <summary>A minimal line editor: printable keys, Backspace, Left/Right, Up/Down history, Tab completion, Enter.</summary>
    private string? ReadLineWithEditing()
    {
        var buffer = new StringBuilder();
        var cursor = 0;
        var historyIndex = _history.Count;
        void Redraw()
        {
            Console.Write("\r" + Prompt + buffer + "\u001b[K");
            Console.Write("\r" + Prompt + buffer.ToString(0, cursor));
        }
        Console.Write(Prompt);
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return buffer.ToString();
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    buffer.Clear().Append(_history[--historyIndex]);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.DownArrow when historyIndex < _history.Count:
                    historyIndex++;
                    buffer.Clear().Append(historyIndex < _history.Count ? _history[historyIndex] : "");
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.Tab:
                    var before = buffer.ToString(0, cursor);
                    var candidates = session.Catalog!.Complete(before, shell: true);
                    var partial = before.Length > 0 && !char.IsWhiteSpace(before[^1]) ? CommandLine.Split(before).LastOrDefault() ?? "" : "";
                    var common = CommonPrefix(candidates);
                    if (common.Length > partial.Length)
                    {
                        var insert = common[partial.Length..] + (candidates.Count == 1 ? " " : "");
                        buffer.Insert(cursor, insert);
                        cursor += insert.Length;
                    }
                    else if (candidates.Count > 1)
                    {
                        Console.WriteLine();
                        Console.WriteLine(string.Join("  ", candidates));
                    }
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && buffer.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        buffer.Insert(cursor++, key.KeyChar);
                    }
                    break;
            }
            Redraw();
        }
    }

    private static string CommonPrefix(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return "";
        var prefix = words[0];
        foreach (var w in words.Skip(1))
        {
            var n = 0;
            while (n < prefix.Length && n < w.Length && prefix[n] == w[n]) n++;
            prefix = prefix[..n];
        }
        return prefix;
    }
}
