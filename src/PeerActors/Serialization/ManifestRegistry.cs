using System.Text.RegularExpressions;

namespace PeerActors.Serialization;

/// <summary>
/// The registration table of a <see cref="VersionedJsonSerializer"/>: which CLR type is written under
/// which stable manifest (<c>PeerStatsChanged.v1</c>), in which format (JSON by default, or a binary form such as
/// Protocol Buffers given by <see cref="RegisterBinary{T}"/>), and how older manifests are read (upcasters,
/// <see cref="ReadJson{T}"/>). The manifest is decoupled from the CLR type name, so types can be renamed or moved
/// without breaking stored events; a change of a type's stored shape or format gets a new version, and the old
/// version stays readable.
/// </summary>
/// <remarks>
/// Register every type before constructing the serializer; the serializer copies the table.
/// Registration methods return this instance for chaining.
/// </remarks>
public sealed partial class ManifestRegistry
{
    private readonly Dictionary<Type, string> _manifestByType = new();
    private readonly Dictionary<Type, Func<object, byte[]>> _binaryWriterByType = new();
    private readonly Dictionary<string, Reader> _readerByManifest = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, (string Manifest, int Version)> _jsonFallbackByType = new();

    /// <summary>Reads a payload written under one manifest into the current CLR object.</summary>
    /// <param name="payload">The stored bytes (UTF-8 JSON, or the binary form of a <see cref="RegisterBinary{T}"/> manifest).</param>
    /// <param name="options">The serializer's JSON options (unused by binary readers).</param>
    internal delegate object Reader(ReadOnlySpan<byte> payload, JsonSerializerOptions options);

    /// <summary>Reads the binary payload of a <see cref="RegisterBinary{T}"/> manifest.</summary>
    /// <typeparam name="T">The type read.</typeparam>
    /// <param name="payload">The stored bytes.</param>
    /// <returns>The value.</returns>
    /// <remarks>Throw <see cref="System.IO.IOException"/> (Google.Protobuf's InvalidProtocolBufferException is one),
    /// <see cref="System.IO.InvalidDataException"/>, <see cref="FormatException"/> or <see cref="ArgumentException"/>
    /// for a payload that does not match the manifest: the serializer turns them into a
    /// <see cref="System.Runtime.Serialization.SerializationException"/> naming the manifest.</remarks>
    public delegate T BinaryPayloadReader<out T>(ReadOnlySpan<byte> payload);

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
        EnsureNotWritten(typeof(T), name);
        AddReader(manifest, JsonReader<T>());
        _manifestByType.Add(typeof(T), manifest);
        return this;
    }

    /// <summary>
    /// Registers <typeparamref name="T"/> as the current type for <paramref name="name"/> version
    /// <paramref name="version"/>, written and read in a binary form of its own (e.g. Protocol Buffers with an explicit
    /// schema) instead of JSON; the serializer's JSON options do not apply to it.
    /// </summary>
    /// <typeparam name="T">The CLR type (matched exactly, not by base type).</typeparam>
    /// <param name="name">Stable type name, independent of the CLR name.</param>
    /// <param name="version">Current schema version, ≥ 1.</param>
    /// <param name="write">Writes a value; must be deterministic (golden payloads compare bytes).</param>
    /// <param name="read">Reads a payload written by <paramref name="write"/> (see <see cref="BinaryPayloadReader{T}"/> for the errors to throw).</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The type or the manifest is already registered.</exception>
    public ManifestRegistry RegisterBinary<T>(string name, int version, Func<T, byte[]> write, BinaryPayloadReader<T> read) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        var manifest = Manifest(name, version);
        EnsureNotWritten(typeof(T), name);
        AddReader(manifest, (payload, _) => read(payload));
        _manifestByType.Add(typeof(T), manifest);
        _binaryWriterByType.Add(typeof(T), o => write((T)o));
        return this;
    }

    /// <summary>
    /// A type that moved from JSON to a binary form without changing shape: <see cref="RegisterBinary{T}"/> as
    /// <paramref name="name"/> version <paramref name="version"/>, with the JSON of version <paramref name="version"/> − 1
    /// still read (<see cref="ReadJson{T}"/>) for the payloads already stored or sent by nodes not yet upgraded.
    /// </summary>
    /// <exception cref="ArgumentException">The type or one of the two manifests is already registered.</exception>
    internal ManifestRegistry RegisterBinaryOverJson<T>(string name, int version, Func<T, byte[]> write, BinaryPayloadReader<T> read) where T : notnull =>
        RegisterBinary(name, version, write, read).ReadJson<T>(name, version - 1);

    /// <summary>
    /// Registers an older manifest whose JSON shape is exactly the current type <typeparamref name="T"/>'s (the type
    /// moved to another format, e.g. <see cref="RegisterBinary{T}"/>, without changing): stored payloads are read with
    /// the JSON options; nothing is ever written under this manifest.
    /// </summary>
    /// <typeparam name="T">The current type.</typeparam>
    /// <param name="name">Stable type name.</param>
    /// <param name="version">The old version, e.g. 1 for <c>peer-flushed.v1</c>.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The manifest is already registered.</exception>
    public ManifestRegistry ReadJson<T>(string name, int version) where T : notnull
    {
        var manifest = Manifest(name, version);
        AddReader(manifest, JsonReader<T>());
        if (!_jsonFallbackByType.TryGetValue(typeof(T), out var known) || known.Version < version)
            _jsonFallbackByType[typeof(T)] = (manifest, version);
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

    internal IReadOnlyDictionary<Type, Func<object, byte[]>> SnapshotBinaryWriters() => new Dictionary<Type, Func<object, byte[]>>(_binaryWriterByType);

    /// <summary>
    /// For each binary type with a readable JSON manifest (<see cref="ReadJson{T}"/>), the newest such manifest: what a
    /// serializer writes instead of the binary form while <c>write-binary</c> is off (a rolling upgrade).
    /// </summary>
    internal IReadOnlyDictionary<Type, string> SnapshotJsonFallbacks() => _binaryWriterByType.Keys
        .Where(_jsonFallbackByType.ContainsKey)
        .ToDictionary(t => t, t => _jsonFallbackByType[t].Manifest);

    private static Reader JsonReader<T>() => (json, options) => JsonSerializer.Deserialize<T>(json, options)
        ?? throw new JsonException("Payload is JSON null.");

    private void EnsureNotWritten(Type type, string name)
    {
        if (_manifestByType.TryGetValue(type, out var existing))
            throw new ArgumentException($"Type {type.FullName} is already registered as '{existing}'.", nameof(name));
    }

    private void AddReader(string manifest, Reader reader)
    {
        if (!_readerByManifest.TryAdd(manifest, reader))
            throw new ArgumentException($"Manifest '{manifest}' is already registered.", nameof(manifest));
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex NamePattern();
}
