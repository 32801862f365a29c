using System.Text.Json;

namespace PeerActors.Cli;

/// <summary>Renders a node's <c>CommandResult</c> JSON for humans (tables) or as indented raw JSON.</summary>
public static class ResultRenderer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the result as indented JSON.</summary>
    public static void WriteJson(JsonElement result, TextWriter output) =>
        output.WriteLine(JsonSerializer.Serialize(result, Indented));

    /// <summary>
    /// Writes the result for humans: a table when it has columns/rows, otherwise its data
    /// (object as "key: value" lines, array one item per line, scalar as text), otherwise "ok".
    /// </summary>
    public static void WriteHuman(JsonElement result, TextWriter output)
    {
        if (result.TryGetProperty("columns", out var columns) && columns.ValueKind == JsonValueKind.Array)
        {
            var header = columns.EnumerateArray().Select(Cell).ToList();
            var rows = result.TryGetProperty("rows", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(row => row.EnumerateArray().Select(Cell).ToList()).ToList()
                : [];
            WriteTable(header, rows, output);
            return;
        }
        if (result.TryGetProperty("data", out var data) && data.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            switch (data.ValueKind)
            {
                case JsonValueKind.Object:
                    var width = data.EnumerateObject().Select(p => p.Name.Length).DefaultIfEmpty(0).Max();
                    foreach (var p in data.EnumerateObject()) output.WriteLine($"{p.Name.PadRight(width)} : {Cell(p.Value)}");
                    break;
                case JsonValueKind.Array:
                    foreach (var item in data.EnumerateArray()) output.WriteLine(Cell(item));
                    break;
                default:
                    output.WriteLine(Cell(data));
                    break;
            }
            return;
        }
        output.WriteLine("ok");
    }

    /// <summary>Writes an aligned table: header, dashes, rows.</summary>
    public static void WriteTable(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, TextWriter output)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => i < r.Count ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", widths.Select((w, i) => (i < cells.Count ? cells[i] : "").PadRight(w))).TrimEnd();
        output.WriteLine(Line(header.Select(h => h.ToUpperInvariant()).ToList()));
        output.WriteLine(Line(widths.Select(w => new string('-', w)).ToList()));
        foreach (var row in rows) output.WriteLine(Line(row));
        if (rows.Count == 0) output.WriteLine("(none)");
    }

    /// <summary>Text of a cell: strings as they are, booleans yes/no, floating-point numbers with 6 significant digits.</summary>
    private static string Cell(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Number when !e.TryGetInt64(out _) && e.TryGetDouble(out var d) => d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        _ => e.GetRawText(),
    };
}
