using System.Text;
using Akka.Configuration;

namespace PeerActors.Serialization;

/// <summary>
/// Binds a <see cref="VersionedJsonSerializer"/> and its registered types into an ActorSystem, either
/// through Akka.Hosting or as plain HOCON.
/// </summary>
public static class VersionedSerializerBinding
{
    /// <summary>
    /// Akka.Hosting: registers the serializer under <paramref name="serializerName"/> and binds every
    /// type of <paramref name="registry"/> to it (wraps <c>WithCustomSerializer</c>).
    /// </summary>
    /// <typeparam name="TSerializer">The concrete serializer.</typeparam>
    /// <param name="builder">The Akka configuration builder.</param>
    /// <param name="serializerName">HOCON name of the serializer, e.g. <c>peeractors-events</c>.</param>
    /// <param name="registry">The registry whose <see cref="ManifestRegistry.Types"/> are bound.</param>
    /// <param name="factory">Creates the serializer for the system.</param>
    /// <returns>The builder.</returns>
    public static AkkaConfigurationBuilder WithVersionedJsonSerializer<TSerializer>(
        this AkkaConfigurationBuilder builder,
        string serializerName,
        ManifestRegistry registry,
        Func<ExtendedActorSystem, TSerializer> factory)
        where TSerializer : VersionedJsonSerializer
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serializerName);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(factory);
        return builder.WithCustomSerializer(serializerName, registry.Types.ToArray(), system => factory(system));
    }

    /// <summary>
    /// Plain HOCON: <c>akka.actor.serializers.{name}</c> = the serializer type (which must have a public
    /// constructor taking <see cref="ExtendedActorSystem"/>) and one
    /// <c>akka.actor.serialization-bindings</c> entry per registered type.
    /// </summary>
    /// <param name="registry">The registry whose types are bound.</param>
    /// <param name="serializerName">HOCON name of the serializer.</param>
    /// <param name="serializerType">The concrete <see cref="VersionedJsonSerializer"/> type.</param>
    /// <returns>The HOCON configuration.</returns>
    /// <exception cref="ArgumentException"><paramref name="serializerType"/> is not a <see cref="VersionedJsonSerializer"/>.</exception>
    public static Config ToHocon(this ManifestRegistry registry, string serializerName, Type serializerType)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(serializerName);
        ArgumentNullException.ThrowIfNull(serializerType);
        if (!typeof(VersionedJsonSerializer).IsAssignableFrom(serializerType))
            throw new ArgumentException($"{serializerType.FullName} is not a {nameof(VersionedJsonSerializer)}.", nameof(serializerType));

        var hocon = new StringBuilder();
        hocon.Append("akka.actor.serializers { ").Append(Quote(serializerName)).Append(" = ")
            .Append(Quote(TypeName(serializerType))).AppendLine(" }");
        hocon.AppendLine("akka.actor.serialization-bindings {");
        foreach (var type in registry.Types)
            hocon.Append("  ").Append(Quote(TypeName(type))).Append(" = ").AppendLine(Quote(serializerName));
        hocon.AppendLine("}");
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
