using System.Runtime.Serialization;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Akka.Serialization;

namespace PeerActors.Serialization;

/// <summary>
/// Base of the explicit, versioned serializers for persisted events, snapshots and remote messages
/// (SPEC §9): System.Text.Json payloads (UTF-8) under a stable string manifest such as
/// <c>PeerStatsChanged.v1</c> taken from a <see cref="ManifestRegistry"/>, never from the CLR type
/// name; older manifests are read through the registry's explicit upcasters. Types registered with
/// <see cref="ManifestRegistry.RegisterBinary{T}"/> are written in their own binary form (Protocol Buffers for the
/// hot peer events) under the same serializer id, so one id reads every version, JSON or binary.
/// </summary>
/// <remarks>
/// A subclass fixes the serializer <see cref="Identifier"/> (must be unique in the ActorSystem and
/// never change once data is stored; 0–100 are reserved by Akka.NET) and the registry, and has a
/// public constructor taking <see cref="ExtendedActorSystem"/> so HOCON can create it:
/// <code>
/// public sealed class PeerEventSerializer(ExtendedActorSystem system) : VersionedJsonSerializer(system, Registry)
/// {
///     public static readonly ManifestRegistry Registry = new ManifestRegistry()
///         .Register&lt;PeerStatsChanged&gt;("PeerStatsChanged", 2)
///         .Upcast&lt;PeerStatsChangedV1&gt;("PeerStatsChanged", 1, v1 =&gt; v1.ToV2());
///     public override int Identifier =&gt; 4101;
/// }
/// </code>
/// Bind it with <see cref="VersionedSerializerBinding.WithVersionedJsonSerializer{TSerializer}"/>
/// (Akka.Hosting) or <see cref="VersionedSerializerBinding.ToHocon"/> (plain HOCON).
/// </remarks>
public abstract class VersionedJsonSerializer : SerializerWithStringManifest
{
    private readonly IReadOnlyDictionary<Type, string> _manifestByType;
    private readonly IReadOnlyDictionary<string, ManifestRegistry.Reader> _readerByManifest;
    private readonly IReadOnlyDictionary<Type, Func<object, byte[]>> _binaryWriterByType;

    /// <summary>Creates the serializer over a snapshot of <paramref name="registry"/>.</summary>
    /// <param name="system">The actor system (may be <c>null</c> in unit tests).</param>
    /// <param name="registry">Type ↔ manifest table and upcasters.</param>
    /// <param name="options">JSON options; <c>null</c> = <see cref="CreateDefaultOptions"/>. Changing them changes the stored format.</param>
    protected VersionedJsonSerializer(ExtendedActorSystem system, ManifestRegistry registry, JsonSerializerOptions? options = null)
        : base(system)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var manifests = registry.SnapshotManifests();
        var binaryWriters = registry.SnapshotBinaryWriters();
        WritesBinary = system?.Settings.Config.GetBoolean(WriteBinaryKey, true) ?? true;
        if (!WritesBinary)
        {
            // Rolling upgrade: write what a release without the binary forms reads (the newest JSON manifest of each
            // binary type), while still reading everything.
            var manifestsCopy = new Dictionary<Type, string>(manifests);
            var writersCopy = new Dictionary<Type, Func<object, byte[]>>(binaryWriters);
            foreach (var (type, jsonManifest) in registry.SnapshotJsonFallbacks())
            {
                manifestsCopy[type] = jsonManifest;
                writersCopy.Remove(type);
            }
            manifests = manifestsCopy;
            binaryWriters = writersCopy;
        }
        _manifestByType = manifests;
        _readerByManifest = registry.SnapshotReaders();
        _binaryWriterByType = binaryWriters;
        Options = options ?? CreateDefaultOptions();
        Options.MakeReadOnly(populateMissingResolver: true);
    }

    /// <summary>
    /// HOCON key (boolean, default on): write the binary form of types registered with
    /// <see cref="ManifestRegistry.RegisterBinary{T}"/>. Off = write their newest JSON manifest instead (registered
    /// with <see cref="ManifestRegistry.ReadJson{T}"/>), for the first step of a rolling upgrade from a release that
    /// reads only JSON; reading is unaffected.
    /// </summary>
    public const string WriteBinaryKey = "peeractors.serialization.write-binary";

    /// <summary>Whether binary forms are written (<see cref="WriteBinaryKey"/>).</summary>
    public bool WritesBinary { get; }

    /// <summary>The serializer id; unique per ActorSystem and stable forever once data is stored.</summary>
    public abstract override int Identifier { get; }

    /// <summary>The JSON options (read-only) used for every payload.</summary>
    public JsonSerializerOptions Options { get; }

    /// <summary>
    /// The default, stable JSON format: camelCase property names, enums as their names, no
    /// indentation, strict numbers, required constructor parameters enforced, nullable annotations
    /// respected, unknown properties skipped (so an added optional field can be read by older code).
    /// </summary>
    /// <returns>A new mutable options instance.</returns>
    public static JsonSerializerOptions CreateDefaultOptions() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    /// <summary>The manifest <paramref name="o"/> is written under (its registered current version).</summary>
    /// <param name="o">The object to serialize.</param>
    /// <returns>E.g. <c>PeerStatsChanged.v2</c>.</returns>
    /// <exception cref="SerializationException">The object's type is not registered.</exception>
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return _manifestByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException(
                $"{GetType().Name} (id {Identifier}) has no manifest registered for type {o.GetType().FullName}.");
    }

    /// <summary>Writes <paramref name="obj"/> as UTF-8 JSON, or in its binary form when registered with one.</summary>
    /// <param name="obj">A registered object.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="SerializationException">The type is not registered or cannot be written.</exception>
    public override byte[] ToBinary(object obj)
    {
        var manifest = Manifest(obj);
        try
        {
            return _binaryWriterByType.TryGetValue(obj.GetType(), out var write)
                ? write(obj)
                : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new SerializationException($"{GetType().Name} failed to write '{manifest}' ({obj.GetType().FullName}): {e.Message}", e);
        }
    }

    /// <summary>Reads a payload written under <paramref name="manifest"/> (current or upcast legacy version).</summary>
    /// <param name="bytes">The payload (UTF-8 JSON, or the binary form of the manifest).</param>
    /// <param name="manifest">The stored manifest.</param>
    /// <returns>An instance of the current type.</returns>
    /// <exception cref="SerializationException">The manifest is unknown or the payload does not match it (bad JSON,
    /// an unreadable or truncated binary payload, a value the domain rejects); the message names the manifest and the
    /// payload's size.</exception>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (manifest is null || !_readerByManifest.TryGetValue(manifest, out var reader))
            throw new SerializationException(
                $"{GetType().Name} (id {Identifier}) does not know manifest '{manifest}'. " +
                $"Readable manifests: {string.Join(", ", _readerByManifest.Keys.Order(StringComparer.Ordinal))}.");
        try
        {
            return reader(bytes, Options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException
                                      or FormatException or IOException or InvalidDataException or OverflowException)
        {
            // IOException: Google.Protobuf's InvalidProtocolBufferException; InvalidDataException: a binary reader's check.
            throw new SerializationException(
                $"{GetType().Name} failed to read manifest '{manifest}' ({bytes.Length} bytes): {e.Message}", e);
        }
    }
}
