using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Calls a node's command endpoint as <c>peeractl</c> does (POST /v1/commands/{palette}/{name}).</summary>
public static class ManagementHttp
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string endpoint, string command,
        object? args = null, string? token = null)
    {
        var path = string.Join('/', command.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{endpoint}/v1/commands/{path}")
        {
            Content = new StringContent(args is null ? "{}" : System.Text.Json.JsonSerializer.Serialize(args), Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text));
    }

    public static async Task<(HttpStatusCode Status, string ContentType, string Body)> GetMetricsAsync(string endpoint, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{endpoint}/metrics");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Bounded poll until the endpoint answers (any HTTP status).</summary>
    public static async Task WaitReachableAsync(NodeProcess node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var r = await Http.GetAsync($"http://{node.Endpoint}/v1/commands");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !node.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Members of <c>cluster show</c> as (address, status).</summary>
    public static async Task<IReadOnlyList<(string Address, string Status)>> MembersAsync(string endpoint, string? token = null)
    {
        var (status, body) = await PostAsync(endpoint, "cluster show", null, token);
        if (status != HttpStatusCode.OK || body?["ok"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"cluster show on {endpoint}: {status} {body?.ToJsonString()}");
        return body!["data"]!["members"]!.AsArray()
            .Select(m => (m!["address"]!.GetValue<string>(), m["status"]!.GetValue<string>())).ToList();
    }
}
