namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Runs <c>peeractl</c> through its entry point in-process, capturing stdout and stderr.</summary>
public static class PeerCtlRun
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PeerCtl.RunAsync(args, output, error, _ => null, null);
        return (code, output.ToString(), error.ToString());
    }
}
