namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Bounded polling (no fixed sleeps as assertions).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not reached within {timeout}: {what}" + (last is null ? "" : $" (last error: {last.Message})"), last);
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
