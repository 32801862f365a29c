using Xunit.Abstractions;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>
/// N real node processes on loopback sharing one PostgreSQL database. Every node lists every node as
/// a seed (first node first: it forms the cluster); Dispose kills whatever still runs.
/// </summary>
public sealed class NodeCluster : IAsyncDisposable
{
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;

    private NodeCluster(ITestOutputHelper output, string connectionString, IReadOnlyList<string> seeds, string? token)
    {
        _output = output;
        ConnectionString = connectionString;
        Seeds = seeds;
        Token = token;
    }

    public string ConnectionString { get; }

    public IReadOnlyList<string> Seeds { get; }

    public string? Token { get; }

    public List<NodeProcess> Nodes { get; } = new();

    /// <summary>Starts <paramref name="count"/> nodes and waits (bounded) until each has joined.</summary>
    public static async Task<NodeCluster> StartAsync(ITestOutputHelper output, string connectionString, int count = 3,
        string? token = null, IReadOnlyList<string>? set = null)
    {
        var ports = Enumerable.Range(0, count).Select(_ => ProcessRunner.FreeLoopbackPort()).ToArray();
        var cluster = new NodeCluster(output, connectionString, ports.Select(NodeProcess.AddressOf).ToArray(), token);
        try
        {
            for (var i = 0; i < count; i++)
                cluster.Nodes.Add(NodeProcess.Start(new NodeProcessOptions
                {
                    Name = $"node{i + 1}",
                    ConnectionString = connectionString,
                    Seeds = cluster.Seeds,
                    RemotePort = ports[i],
                    EndpointPort = ProcessRunner.FreeLoopbackPort(),
                    Token = token,
                    Set = set ?? [],
                }, output));
            await Task.WhenAll(cluster.Nodes.Select(n => n.WaitJoinedAsync(JoinTimeout)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node with the cluster's seed list and waits (bounded) until it has joined.</summary>
    public async Task<NodeProcess> AddNodeAsync(string name)
    {
        var node = NodeProcess.Start(new NodeProcessOptions
        {
            Name = name,
            ConnectionString = ConnectionString,
            Seeds = Seeds,
            RemotePort = ProcessRunner.FreeLoopbackPort(),
            EndpointPort = ProcessRunner.FreeLoopbackPort(),
            Token = Token,
        }, _output);
        Nodes.Add(node);
        await node.WaitJoinedAsync(JoinTimeout);
        return node;
    }

    /// <summary>Starts node <paramref name="index"/> again (same name and ports) after it exited, and waits until it has joined.</summary>
    public async Task<NodeProcess> RestartAsync(int index)
    {
        var old = Nodes[index];
        if (!old.HasExited) throw new InvalidOperationException($"{old.Name} is still running");
        await old.DisposeAsync();
        var node = NodeProcess.Start(old.Options, _output);
        Nodes[index] = node;
        await node.WaitJoinedAsync(JoinTimeout);
        return node;
    }

    /// <summary>All nodes' output lines.</summary>
    public IEnumerable<string> AllLines => Nodes.SelectMany(n => n.Lines);

    /// <summary>Bounded poll until the (changing) cluster leader has logged <paramref name="address"/> moving to <paramref name="status"/>.</summary>
    public async Task WaitMemberStatusLoggedAsync(string address, string status, TimeSpan timeout)
    {
        var needle = $"Leader is moving node [{address}] to [{status}]";
        var deadline = DateTime.UtcNow + timeout;
        while (!AllLines.Any(l => l.Contains(needle, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no '{needle}' within {timeout}:\n" +
                    string.Join("\n", Nodes.Select(n => $"--- {n.Name}\n{ProcessRunner.Tail(n.Lines, 30)}")));
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}
