using Akka.Actor.Internal;

namespace PeerActors.Node.Management.Commands;

/// <summary>
/// <c>actor hierarchy [--depth N] [--system] [--max-children N]</c>: the local actor tree under <c>/user</c>
/// (and <c>/system</c> with the flag), walked through the guardians' children (ActorRefWithCell.Children),
/// depth-limited and with at most maxChildren children listed per actor (sharded entities can be many).
/// </summary>
public sealed class ActorHierarchyCommand : ManagementCommandBase
{
    /// <summary>Creates the command.</summary>
    public ActorHierarchyCommand() : base("actor", "hierarchy", "Print the local actor tree under /user (and /system with --system)",
        new ManagementArgument("depth", "levels below the guardian to show (default 4)", ManagementArgumentKind.Int),
        new ManagementArgument("system", "also walk /system", ManagementArgumentKind.Bool),
        new ManagementArgument("maxChildren", "children listed per actor (default 50)", ManagementArgumentKind.Int)) { }

    /// <inheritdoc />
    public override Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var depth = args.GetInt("depth", 4, 0, 64);
        var includeSystem = args.GetBool("system");
        var maxChildren = args.GetInt("maxChildren", 50, 1, 100_000);
        var ext = (ExtendedActorSystem)system;
        var rows = new List<IReadOnlyList<string?>>();
        var roots = new JsonArray { Walk(ext.Guardian, "", true, 0, depth, maxChildren, rows) };
        if (includeSystem) roots.Add(Walk(ext.SystemGuardian, "", true, 0, depth, maxChildren, rows));
        return Task.FromResult(CommandResult.Table(["actor", "type", "path"], rows, new JsonObject { ["roots"] = roots }));
    }

    private static JsonObject Walk(IActorRef actor, string indent, bool last, int level, int maxDepth, int maxChildren, List<IReadOnlyList<string?>> rows)
    {
        var name = level == 0 ? actor.Path.ToStringWithoutAddress() : actor.Path.Name;
        var type = actor is ActorRefWithCell cell ? cell.Underlying.Props?.Type?.Name : null;
        var branch = level == 0 ? "" : (last ? "└─ " : "├─ ");
        rows.Add([indent + branch + name, type, actor.Path.ToStringWithoutAddress()]);
        var node = new JsonObject { ["name"] = name, ["path"] = actor.Path.ToStringWithoutAddress(), ["type"] = type };

        var children = actor is ActorRefWithCell withCell
            ? withCell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList()
            : [];
        if (children.Count == 0) return node;

        var childIndent = level == 0 ? "" : indent + (last ? "   " : "│  ");
        var childArray = new JsonArray();
        if (level >= maxDepth)
        {
            rows.Add([childIndent + "└─ … " + children.Count.ToString(CultureInfo.InvariantCulture) + " children (depth limit)", null, null]);
            node["omittedChildren"] = children.Count;
            return node;
        }
        var shown = children.Take(maxChildren).ToList();
        var omitted = children.Count - shown.Count;
        for (var i = 0; i < shown.Count; i++)
            childArray.Add(Walk(shown[i], childIndent, i == shown.Count - 1 && omitted == 0, level + 1, maxDepth, maxChildren, rows));
        if (omitted > 0)
        {
            rows.Add([childIndent + "└─ … " + omitted.ToString(CultureInfo.InvariantCulture) + " more children", null, null]);
            node["omittedChildren"] = omitted;
        }
        node["children"] = childArray;
        return node;
    }
}
