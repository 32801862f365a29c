using System.Text.Json;
using System.Text.RegularExpressions;

namespace PeerActors.Serialization;

/// <summary>
/// The registration table of a <see cref="VersionedJsonSerializer"/>: which CLR type is written under
/// which stable manifest (<c>PeerStatsChanged.v1</c>), and how older manifests are read (upcasters).
/// The manifest is decoupled from the CLR type name, so types can be renamed or moved without
/// breaking stored events; a change of a type's JSON shape gets a new version plus an upcaster from
/// the old one.
/// </summary>
/// <remarks>
/// Register every type before constructing the serializer; the serializer copies the table.
/// Registration methods return this instance for chaining.
/// </remarks>
public sealed partial class ManifestRegistry
{
    private readonly Dictionary<Type, string> _manifestByType = new();
    private readonly Dictionary<string, Reader> _readerByManifest = new(StringComparer.Ordinal);

    /// <summary>Reads a payload written under one manifest into the current CLR object.</summary>
    internal delegate object Reader(ReadOnlySpan<byte> utf8Json, JsonSerializerOptions options);

    /// <summary>Builds the manifest string for a type name and version: <c>{name}.v{version}</c>.</summary>
    /// <param name="name">Stable type name, e.g. <c>PeerStatsChanged</c>: letters, digits, '_' and '-', starting with a letter.</param>
    /// <param name="version">Schema version, ≥ 1.</param>
    /// <returns>The manifest, e.g. <c>PeerStatsChanged.v1</c>.</returns>
    /// <exception cref="ArgumentException">The name or version is invalid.</exception>
    public static string Manifest(string name, int version)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"Manifest name '{name}' must start with a letter and contain only letters, digits, '_' and '-'.", nameof(name));
        if (version < 1)
            throw new ArgumentOutOfRangeException(nameof(version), version, "Manifest version must be >= 1.");
        return $"{name}.v{version}";
    }

    /// <summary>
    /// Registers <typeparamref name="T"/> as the current type for <paramref name="name"/> version
    /// <paramref name="version"/>: it is written under <c>{name}.v{version}</c> and read back from it.
    /// </summary>
    /// <typeparam name="T">The CLR type (matched exactly, not by base type).</typeparam>
    /// <param name="name">Stable type name, independent of the CLR name.</param>
    /// <param name="version">Current schema version, ≥ 1.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The type or the manifest is already registered.</exception>
    public ManifestRegistry Register<T>(string name, int version) where T : notnull
    {
        var manifest = Manifest(name, version);
        if (_manifestByType.TryGetValue(typeof(T), out var existing))
            throw new ArgumentException($"Type {typeof(T).FullName} is already registered as '{existing}'.", nameof(name));
        AddReader(manifest, (json, options) => JsonSerializer.Deserialize<T>(json, options)
            ?? throw new JsonException($"Payload is JSON null."));
        _manifestByType.Add(typeof(T), manifest);
        return this;
    }

    /// <summary>
    /// Registers an upcaster for an older manifest: the payload is read as its legacy shape
    /// <typeparamref name="TLegacy"/> and converted by <paramref name="upcast"/> to the current type.
    /// Nothing is ever written under this manifest.
    /// </summary>
    /// <typeparam name="TLegacy">A type describing the old JSON shape (typically a private record kept with the upcaster).</typeparam>
    /// <param name="name">Stable type name.</param>
    /// <param name="version">The old version, e.g. 1 for <c>PeerStatsChanged.v1</c>.</param>
    /// <param name="upcast">Converts the legacy value to the current type.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The manifest is already registered.</exception>
    public ManifestRegistry Upcast<TLegacy>(string name, int version, Func<TLegacy, object> upcast)
    {
        ArgumentNullException.ThrowIfNull(upcast);
        AddReader(Manifest(name, version), (json, options) =>
        {
            var legacy = JsonSerializer.Deserialize<TLegacy>(json, options) ?? throw new JsonException("Payload is JSON null.");
            return upcast(legacy);
        });
        return this;
    }

    /// <summary>
    /// Registers an upcaster for an older manifest that works on the raw JSON document, for changes
    /// not expressible as one legacy type (renamed or restructured fields).
    /// </summary>
    /// <param name="name">Stable type name.</param>
    /// <param name="version">The old version.</param>
    /// <param name="upcast">Converts the parsed legacy document to the current type; receives the serializer's options.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The manifest is already registered.</exception>
    public ManifestRegistry UpcastJson(string name, int version, Func<JsonElement, JsonSerializerOptions, object> upcast)
    {
        ArgumentNullException.ThrowIfNull(upcast);
        AddReader(Manifest(name, version), (json, options) =>
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return upcast(document.RootElement, options);
        });
        return this;
    }

    /// <summary>The CLR types written by the serializer (bind these to it in <c>akka.actor.serialization-bindings</c>).</summary>
    public IReadOnlyCollection<Type> Types => _manifestByType.Keys;

    /// <summary>Every manifest the serializer can read: current ones and upcast legacy ones.</summary>
    public IReadOnlyCollection<string> ReadableManifests => _readerByManifest.Keys;

    /// <summary>The manifest <paramref name="type"/> is written under, if registered.</summary>
    /// <param name="type">A CLR type.</param>
    /// <param name="manifest">The manifest, when found.</param>
    /// <returns>Whether the type is registered.</returns>
    public bool TryGetManifest(Type type, out string manifest) => _manifestByType.TryGetValue(type, out manifest!);

    internal IReadOnlyDictionary<Type, string> SnapshotManifests() => new Dictionary<Type, string>(_manifestByType);

    internal IReadOnlyDictionary<string, Reader> SnapshotReaders() => new Dictionary<string, Reader>(_readerByManifest, StringComparer.Ordinal);

    private void AddReader(string manifest, Reader reader)
    {
        if (!_readerByManifest.TryAdd(manifest, reader))
            throw new ArgumentException($"Manifest '{manifest}' is already registered.", nameof(manifest));
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex NamePattern();
}
