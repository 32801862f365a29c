namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// A full node composition (SQLite, hocon.conf keys) on a throw-away data directory, started and stopped several times
/// by one test to check what survives a restart; each start gets a free remoting port and endpoint.
/// </summary>
public abstract class TempDataDirNode : IDisposable
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected TempDataDirNode(string prefix) => DataDir = Directory.CreateTempSubdirectory(prefix).FullName;

    protected string DataDir { get; }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>The node's settings on <see cref="DataDir"/>, port 0, with <paramref name="set"/> as <c>--set</c> pairs.</summary>
    protected NodeSettings Settings(params string[] set) => NodeSettingsLoader.Load(
        new NodeOverrides { DataDir = DataDir, Port = 0, Endpoint = "127.0.0.1:0", Set = set },
        new Dictionary<string, string?>(), AppContext.BaseDirectory);

    /// <summary>Starts the host and waits (bounded) until its member is Up; returns the ActorRegistry.</summary>
    protected static async Task<Akka.Hosting.ActorRegistry> StartAsync(IHost host)
    {
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(Timeout);
        return host.Services.GetRequiredService<Akka.Hosting.ActorRegistry>();
    }
}
