using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace PeerActors.Node.Management;

/// <summary>
/// The response body of every command endpoint call:
/// <c>{ "ok": bool, "code"?: string, "error"?: string, "columns"?: [string], "rows"?: [[value]], "data"?: any }</c>.
/// <c>columns</c>/<c>rows</c> are what <c>peeractl</c> renders as a table (cells keep their JSON type: numbers stay
/// numbers, flags booleans); <c>data</c> is the structured result (printed by <c>peeractl --json</c>, and rendered
/// generically when there is no table). A failure carries <c>code</c>, one of <see cref="ErrorCodes"/>, which also
/// decides the HTTP status (<see cref="StatusFor"/>).
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

    /// <summary>Error code (<see cref="ErrorCodes"/>) when <see cref="Ok"/> is false.</summary>
    public string? Code { get; init; }

    /// <summary>Human-readable reason when <see cref="Ok"/> is false.</summary>
    public string? Error { get; init; }

    /// <summary>Table header, or null when the result is not tabular.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Table rows; each row has one cell per column (a JSON value or null).</summary>
    public IReadOnlyList<IReadOnlyList<JsonNode?>>? Rows { get; init; }

    /// <summary>Structured result (object, array or scalar), or null.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>A successful result with optional structured data and no table.</summary>
    public static CommandResult Success(JsonNode? data = null) => new() { Ok = true, Data = data };

    /// <summary>A successful tabular result.</summary>
    /// <param name="columns">Header.</param>
    /// <param name="rows">Rows, built with <see cref="Row"/> (cells keep their JSON type).</param>
    /// <param name="data">Structured result.</param>
    /// <exception cref="ArgumentException">A row does not have one cell per column.</exception>
    public static CommandResult Table(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<JsonNode?>> rows, JsonNode? data = null)
    {
        foreach (var row in rows)
        {
            if (row.Count != columns.Count)
                throw new ArgumentException($"row has {row.Count} cells but there are {columns.Count} columns", nameof(rows));
        }
        return new() { Ok = true, Columns = columns, Rows = rows, Data = data };
    }

    /// <summary>A successful tabular result whose cells are all text.</summary>
    /// <exception cref="ArgumentException">A row does not have one cell per column.</exception>
    public static CommandResult Table(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows, JsonNode? data = null) =>
        Table(columns, rows.Select(r => (IReadOnlyList<JsonNode?>)r.Select(c => c is null ? null : (JsonNode)JsonValue.Create(c)).ToList()).ToList(), data);

    /// <summary>
    /// One table row: integers and floating-point numbers become JSON numbers, booleans JSON booleans,
    /// <see cref="DateTimeOffset"/> ISO 8601 text, <see cref="JsonNode"/>s stay as they are, null stays null, anything
    /// else its invariant text.
    /// </summary>
    /// <param name="cells">The cells.</param>
    /// <returns>The row.</returns>
    public static IReadOnlyList<JsonNode?> Row(params object?[] cells) => cells.Select(Cell).ToList();

    private static JsonNode? Cell(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        ulong u => JsonValue.Create(u),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        double d => JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
        IFormattable f => JsonValue.Create(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>A failed result.</summary>
    /// <param name="code">One of <see cref="ErrorCodes"/>.</param>
    /// <param name="error">Human-readable reason.</param>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not in <see cref="ErrorCodes.All"/>.</exception>
    public static CommandResult Failure(string code, string error)
    {
        if (!ErrorCodes.IsKnown(code)) throw new ArgumentException($"'{code}' is not an error code of ErrorCodes", nameof(code));
        return new() { Ok = false, Code = code, Error = error };
    }

    /// <summary>An <see cref="ErrorCodes.InvalidInput"/> failure naming the field (answered with HTTP 400).</summary>
    public static CommandResult Invalid(InvalidInputException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = e.Message;
        var suffix = $" (Parameter '{e.ParamName}')";
        if (e.ParamName is not null && text.EndsWith(suffix, StringComparison.Ordinal)) text = text[..^suffix.Length];
        return Failure(ErrorCodes.InvalidInput, text);
    }

    /// <summary>
    /// The HTTP status of a result: 200 when ok, otherwise by <see cref="Code"/>: <c>invalid-input</c> 400,
    /// <c>unauthorized</c> 401, <c>unknown-command</c> 404, <c>internal</c> 500, <c>unavailable</c> 503,
    /// <c>timeout</c> 504, any other code (a domain refusal such as <c>peer-not-found</c>) 200 with ok=false.
    /// </summary>
    public int StatusFor() => Ok ? StatusCodes.Status200OK : Code switch
    {
        ErrorCodes.InvalidInput => StatusCodes.Status400BadRequest,
        ErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCodes.UnknownCommand => StatusCodes.Status404NotFound,
        ErrorCodes.Internal => StatusCodes.Status500InternalServerError,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.Timeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status200OK,
    };
}
