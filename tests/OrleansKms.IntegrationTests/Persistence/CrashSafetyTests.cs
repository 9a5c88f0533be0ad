using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The default service (`dotnet run --project silo`: Azurite started by the service) as users stop and break it: a
/// power cut under load (SIGKILL to the process group and to Azurite at once) loses nothing that was answered.
/// </summary>
public sealed class CrashSafetyTests : IAsyncDisposable
{
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(7);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kms-crash-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Every_acknowledged_change_survives_a_power_cut_under_load()
    {
        var ledger = new Ledger();
        await using (var silo = await SiloProcess.StartAsync(_dataDirectory))
        {
            var kms = SdkClients.Create(silo.Endpoint, "us-east-1", "test", "test");
            using var cut = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 8).Select(w => Task.Run(() => WorkAsync(kms, w, ledger, cut.Token))).ToList();
            await Task.Delay(LoadTime, TestContext.Current.CancellationToken);
            await cut.CancelAsync();
            silo.PowerCut();
            Assert.True(await silo.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            await Task.WhenAll(workers);
        }

        Assert.True(ledger.Keys.Count >= 20, $"The load made only {ledger.Keys.Count} keys before the power cut.");
        await using (var silo = await SiloProcess.StartAsync(_dataDirectory))
        {
            await VerifyAsync(SdkClients.Create(silo.Endpoint, "us-east-1", "test", "test"), ledger);
        }
    }

    /// <summary>
    /// One client's loop until the power cut: each key goes through a fixed sequence; each step is recorded once it
    /// is answered. Any failure before the power cut fails the test.
    /// </summary>
    private static async Task WorkAsync(AmazonKeyManagementServiceClient kms, int worker, Ledger ledger, CancellationToken powerCut)
    {
        try
        {
            for (var n = 0; ; n++)
            {
                var id = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = $"crash {worker}/{n}" })).KeyMetadata.KeyId;
                var key = new KeyRecord($"crash {worker}/{n}");
                ledger.Keys[id] = key;
                for (var i = 0; i < 2; i++)
                {
                    var plaintext = new byte[] { (byte)worker, (byte)n, (byte)i };
                    var context = new Dictionary<string, string> { ["n"] = $"{worker}/{n}/{i}" };
                    var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = id, Plaintext = new MemoryStream(plaintext), EncryptionContext = context })).CiphertextBlob.ToArray();
                    key.Ciphertexts.Add((blob, plaintext, context));
                }

                await kms.TagResourceAsync(new TagResourceRequest { KeyId = id, Tags = [new Tag { TagKey = "worker", TagValue = $"{worker}" }] });
                key.Tagged = true;
                var alias = $"alias/crash-{worker}-{n}-{Guid.NewGuid():N}";
                await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = id });
                key.Alias = alias;
                await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = id, RotationPeriodInDays = 90 + n % 100 });
                key.RotationPeriod = 90 + n % 100;
                var retiring = $"arn:aws:iam::000000000000:role/retirer-{worker}";
                var grant = await kms.CreateGrantAsync(new CreateGrantRequest
                {
                    KeyId = id,
                    GranteePrincipal = "arn:aws:iam::000000000000:role/user",
                    RetiringPrincipal = retiring,
                    Operations = ["Decrypt"],
                });
                key.Grant = (grant.GrantId, retiring);
                var policy = Policy($"crash-{worker}-{n}");
                await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = id, Policy = policy });
                key.Policy = policy;
                if (n % 4 == 3)
                {
                    key.DeletionRequested = true; // in flight: the cut may leave it done or not
                    await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = id, PendingWindowInDays = 7 + n % 20 });
                    key.DeletionWindow = 7 + n % 20;
                }
            }
        }
        catch (Exception) when (powerCut.IsCancellationRequested)
        {
            // The power went: the call in flight has no answer, so nothing of it is in the ledger.
        }
    }

    private static async Task VerifyAsync(AmazonKeyManagementServiceClient kms, Ledger ledger)
    {
        var listed = new HashSet<string>();
        for (string? marker = null; ;)
        {
            var page = await kms.ListKeysAsync(new ListKeysRequest { Marker = marker, Limit = 1000 });
            listed.UnionWith(page.Keys.Select(k => k.KeyId));
            if (page.Truncated != true) break;
            marker = page.NextMarker;
        }

        var missing = ledger.Keys.Keys.Where(id => !listed.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {ledger.Keys.Count} acknowledged keys are not in ListKeys after the power cut.");
        foreach (var (id, key) in ledger.Keys)
        {
            var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = id })).KeyMetadata;
            Assert.Equal(key.Description, metadata.Description);
            if (key.DeletionWindow is { } window)
            {
                Assert.Equal(KeyState.PendingDeletion, metadata.KeyState);
                // DescribeKey shows the window only as the DeletionDate it gave (scheduled moments ago).
                Assert.Equal(window, (int)Math.Round((metadata.DeletionDate!.Value.ToUniversalTime() - DateTime.UtcNow).TotalDays));
            }

            if (metadata.KeyState == KeyState.PendingDeletion)
            {
                Assert.True(key.DeletionRequested, $"{id} is pending deletion, which no call asked for.");
                await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = id });
                await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = id });
            }

            foreach (var (blob, plaintext, context) in key.Ciphertexts)
            {
                var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob), EncryptionContext = context });
                Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
                Assert.Equal(id, KeyIdOf(decrypted.KeyId));
            }

            if (key.Tagged)
            {
                var tags = (await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = id })).Tags;
                Assert.Contains(tags, t => t.TagKey == "worker");
            }

            if (key.Alias is { } alias)
            {
                var byKey = (await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = id })).Aliases;
                Assert.Contains(byKey, a => a.AliasName == alias && a.TargetKeyId == id);
                Assert.Equal(id, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.KeyId);
            }

            if (key.RotationPeriod is { } period)
            {
                var status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = id });
                Assert.True(status.KeyRotationEnabled);
                Assert.Equal(period, status.RotationPeriodInDays);
            }

            if (key.Grant is { } grant)
            {
                var grants = (await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = id })).Grants;
                Assert.Contains(grants, g => g.GrantId == grant.Id);
                Assert.Contains(grant.Id, await RetirableAsync(kms, grant.Retiring));
            }

            if (key.Policy is { } policy)
                Assert.Equal(policy, (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = id })).Policy);
        }
    }

    private static async Task<List<string>> RetirableAsync(AmazonKeyManagementServiceClient kms, string principal)
    {
        var ids = new List<string>();
        for (string? marker = null; ;)
        {
            var page = await kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = principal, Marker = marker, Limit = 100 });
            ids.AddRange(page.Grants.Select(g => g.GrantId));
            if (page.Truncated != true) return ids;
            marker = page.NextMarker;
        }
    }

    private static string KeyIdOf(string arn) => arn[(arn.LastIndexOf('/') + 1)..];

    private static string Policy(string sid) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"{{sid}}","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}]}""";

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    private sealed class Ledger
    {
        public ConcurrentDictionary<string, KeyRecord> Keys { get; } = new();
    }

    private sealed class KeyRecord(string description)
    {
        public string Description { get; } = description;

        public ConcurrentBag<(byte[] Blob, byte[] Plaintext, Dictionary<string, string> Context)> Ciphertexts { get; } = [];

        public bool Tagged { get; set; }

        public string? Alias { get; set; }

        public int? RotationPeriod { get; set; }

        public (string Id, string Retiring)? Grant { get; set; }

        public string? Policy { get; set; }

        public int? DeletionWindow { get; set; }

        public bool DeletionRequested { get; set; }
    }
}
