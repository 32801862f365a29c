using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PeerActors.Node.Management;

/// <summary>
/// The response body of every command endpoint call:
/// <c>{ "ok": bool, "error"?: string, "columns"?: [string], "rows"?: [[string|null]], "data"?: any }</c>.
/// <c>columns</c>/<c>rows</c> are what <c>peeractl</c> renders as a table; <c>data</c> is the structured
/// result (printed by <c>peeractl --json</c>, and rendered generically when there is no table).
/// </summary>
public sealed record CommandResult
{
    /// <summary>JSON settings of the wire format (camelCase, nulls omitted).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>True when the command succeeded.</summary>
    public bool Ok { get; init; }

    /// <summary>Human-readable reason when <see cref="Ok"/> is false.</summary>
    public string? Error { get; init; }

    /// <summary>Table header, or null when the result is not tabular.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Table rows; each row has one cell per column.</summary>
    public IReadOnlyList<IReadOnlyList<string?>>? Rows { get; init; }

    /// <summary>Structured result (object, array or scalar), or null.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>A successful result with optional structured data and no table.</summary>
    public static CommandResult Success(JsonNode? data = null) => new() { Ok = true, Data = data };

    /// <summary>A successful tabular result.</summary>
    /// <exception cref="ArgumentException">A row does not have one cell per column.</exception>
    public static CommandResult Table(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows, JsonNode? data = null)
    {
        foreach (var row in rows)
        {
            if (row.Count != columns.Count)
                throw new ArgumentException($"row has {row.Count} cells but there are {columns.Count} columns", nameof(rows));
        }
        return new() { Ok = true, Columns = columns, Rows = rows, Data = data };
    }

    /// <summary>A failed result.</summary>
    public static CommandResult Failure(string error) => new() { Ok = false, Error = error };
}
