namespace PeerActors.Limits;

/// <summary>
/// Validation of the ids in limit requests (peer ids, protocol ids, service names), shared by the root and the peer
/// actors: a request reaching a peer actor directly (see <see cref="LimitsClient"/>) is checked by the same rule as one
/// routed by the root.
/// </summary>
internal static class LimitsIds
{
    /// <summary>
    /// Throws <see cref="InvalidInputException"/> naming <paramref name="field"/> unless <paramref name="id"/> is 1–256
    /// printable, non-space characters: the in-process resource manager's rule (<see cref="PeerIds"/>), so both refuse
    /// the same ids with the same messages.
    /// </summary>
    public static string Check(string? id, string field) => PeerIds.Check(id, field);

    /// <summary>The failure answering an invalid <paramref name="id"/>, or null when it is valid.</summary>
    public static LimitsFailure? Failure(string? id, string field)
    {
        try
        {
            Check(id, field);
            return null;
        }
        catch (InvalidInputException e)
        {
            return new LimitsFailure(e.Field, e.Message);
        }
    }

    /// <summary>True when <paramref name="id"/> is valid; else answers the failure to <paramref name="replyTo"/>.</summary>
    public static bool Check(string? id, string field, IActorRef replyTo)
    {
        if (Failure(id, field) is not { } f) return true;
        replyTo.Tell(f);
        return false;
    }
}
