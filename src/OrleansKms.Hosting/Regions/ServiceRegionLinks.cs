using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansKms.Crypto;
using OrleansKms.Gateway.Regions;
using OrleansKms.Grains;

namespace OrleansKms.Hosting.Regions;

/// <summary>
/// The Region links of one server: a call into the destination Region's cluster through its host for the Regions
/// this process serves (starting the Region if it is idle), and an authenticated HTTP request to the server of
/// each peer Region (<see cref="KmsServerOptions.RegionPeers"/>) for the rest. A stopped Region reaches no one and
/// no one reaches it, so delivery to it waits in the sender's outbox, as it would for a Region that is down.
/// </summary>
internal sealed class ServiceRegionLinks(RegionHosts regions, IReadOnlyDictionary<string, Uri> peers, SecretBytes linkSecret, TimeProvider time)
    : RegionLinks(linkSecret)
{
    public const string DeliverPath = "/_kms/region-link/deliver";
    public const string ReplicaDeletedPath = "/_kms/region-link/replica-deleted";
    public const string DateHeader = "X-Kms-Link-Date";
    public const string SignatureHeader = "X-Kms-Link-Signature";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public override bool Reaches(string region) => regions.Serves(region) || peers.ContainsKey(region);

    public override async Task DeliverAsync(ReplicaUpdate update, CancellationToken cancel)
    {
        if (regions.IsStopped(update.SourceRegion)) throw new RegionUnavailableException(update.SourceRegion);
        if (!regions.Serves(update.TargetRegion))
        {
            await PostAsync(update.TargetRegion, DeliverPath, JsonSerializer.SerializeToUtf8Bytes(update, RegionLinkJsonContext.Default.ReplicaUpdate), cancel);
            return;
        }

        var region = await regions.GetAsync(update.TargetRegion, cancel);
        await region.Grains.GetGrain<IKeyGrain>(new KeyArn(update.TargetRegion, update.AccountId, update.KeyId).Value)
            .ApplyReplicaUpdateAsync(update).WaitAsync(cancel);
    }

    public override async Task ReplicaDeletedAsync(string primaryRegion, string accountId, string keyId, string replicaRegion, CancellationToken cancel)
    {
        if (regions.IsStopped(replicaRegion)) throw new RegionUnavailableException(replicaRegion);
        if (!regions.Serves(primaryRegion))
        {
            var notice = new ReplicaDeletedNotice(primaryRegion, accountId, keyId, replicaRegion);
            await PostAsync(primaryRegion, ReplicaDeletedPath, JsonSerializer.SerializeToUtf8Bytes(notice, RegionLinkJsonContext.Default.ReplicaDeletedNotice), cancel);
            return;
        }

        var region = await regions.GetAsync(primaryRegion, cancel);
        await region.Grains.GetGrain<IKeyGrain>(new KeyArn(primaryRegion, accountId, keyId).Value).ReplicaDeletedAsync(replicaRegion).WaitAsync(cancel);
    }

    /// <summary>POSTs a signed link request to the peer serving <paramref name="region"/>; its AWS error comes back as a <see cref="KmsException"/>.</summary>
    private async Task PostAsync(string region, string path, byte[] body, CancellationToken cancel)
    {
        if (!peers.TryGetValue(region, out var peer)) throw new RegionUnavailableException(region);
        var date = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(peer, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(DateHeader, date);
        request.Headers.Add(SignatureHeader, Authenticate(date, path, body));
        using var response = await Http.SendAsync(request, cancel);
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancel);
        if (RegionLinkEndpoint.ErrorOf(text) is { } error) throw error;
        throw new HttpRequestException($"Region link to {region} at {peer}: {(int)response.StatusCode} {text}");
    }
}

/// <summary>The body of a replica-deleted link request.</summary>
public sealed record ReplicaDeletedNotice(string PrimaryRegion, string AccountId, string KeyId, string ReplicaRegion);
