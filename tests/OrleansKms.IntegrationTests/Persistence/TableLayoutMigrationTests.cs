using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Regions;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// A store written by the earlier build (Orleans' Azure table storage: RowKey = the state's name, JSON rows) is moved
/// to the KMS layout at the next start, and every key, alias, grant, policy, tag, rotation and deletion schedule
/// stays readable and writable. The earlier build is Orleans' own provider registered under the KMS store's name.
/// </summary>
public sealed class TableLayoutMigrationTests(SharedAzurite azurite)
{
    private const string Policy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"kms:*","Resource":"*"}]}""";
    private const string Retiring = "arn:aws:iam::000000000000:role/retirer";

    private readonly (string ServiceId, string RootKeyFile) _service = azurite.NewService("layout");

    private Task<KmsServer> StartAsync(bool orleansLayout)
    {
        var options = azurite.Options(_service.ServiceId, _service.RootKeyFile);
        if (orleansLayout)
        {
            var connectionString = azurite.ConnectionString;
            options.ConfigureServices = services => new EarlierBuild(services).AddAzureTableGrainStorage(KmsSiloBuilderExtensions.StoreName, o =>
            {
                o.TableServiceClient = new TableServiceClient(connectionString);
                o.TableName = RegionNames.For("us-east-1", options).KeyTable;
                o.DeleteStateOnClear = true;
            });
        }

        return KmsServer.StartAsync(options, TestContext.Current.CancellationToken);
    }

    private TableClient KeyTable() =>
        new TableServiceClient(azurite.ConnectionString).GetTableClient(RegionNames.For("us-east-1", azurite.Options(_service.ServiceId, _service.RootKeyFile)).KeyTable);

    private List<TableEntity> Rows() =>
        [.. KeyTable().Query<TableEntity>(e => e.PartitionKey.CompareTo(_service.ServiceId + "_") >= 0 && e.PartitionKey.CompareTo(_service.ServiceId + "`") < 0)];

    [Fact]
    public async Task A_store_of_the_earlier_layout_keeps_everything_after_a_move_cut_short_and_takes_new_writes()
    {
        var plaintext = Encoding.UTF8.GetBytes("written before the move");
        string rotating, disabled, deleting, grantId;
        byte[] ciphertext;
        await using (var server = await StartAsync(orleansLayout: true))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            rotating = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "before", Tags = [new Tag { TagKey = "team", TagValue = "a" }] })).KeyMetadata.KeyId;
            disabled = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            deleting = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = rotating });
            await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = rotating, Policy = Policy });
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/moved", TargetKeyId = rotating });
            grantId = (await kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = rotating,
                GranteePrincipal = "arn:aws:iam::000000000000:role/app",
                RetiringPrincipal = Retiring,
                Operations = ["Decrypt"],
            })).GrantId;
            await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabled });
            await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = deleting, PendingWindowInDays = 7 });
            ciphertext = (await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/moved", Plaintext = new MemoryStream(plaintext) })).CiphertextBlob.ToArray();
        }

        var earlier = Rows();
        Assert.Contains(earlier, r => r.RowKey == "key");
        Assert.DoesNotContain(earlier, r => r.RowKey.Contains('$', StringComparison.Ordinal));
        CutShortMoves(earlier.Where((_, i) => i % 2 == 0));

        await using (var server = await StartAsync(orleansLayout: false))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            Assert.DoesNotContain(Rows(), r => !r.RowKey.Contains('$', StringComparison.Ordinal));
            await AssertKeptAsync(kms, rotating, disabled, deleting, grantId, "before");
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });
            Assert.Equal(plaintext, decrypted.Plaintext.ToArray());

            await kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = rotating, Description = "after" });
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/added", TargetKeyId = disabled });
        }

        await using (var server = await StartAsync(orleansLayout: false))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            await AssertKeptAsync(kms, rotating, disabled, deleting, grantId, "after");
            var aliases = (await kms.ListAliasesAsync(new ListAliasesRequest { Limit = 100 })).Aliases.Where(a => a.TargetKeyId is not null);
            Assert.Equal([("alias/added", disabled), ("alias/moved", rotating)], aliases.Select(a => (a.AliasName, a.TargetKeyId)).Order());
        }
    }

    /// <summary>What a kill between a move's two writes leaves: the row in the new layout, and the old row still there.</summary>
    private void CutShortMoves(IEnumerable<TableEntity> rows)
    {
        var table = KeyTable();
        foreach (var row in rows)
        {
            var copy = new TableEntity(row.PartitionKey, row.RowKey + "$" + row.PartitionKey);
            foreach (var (name, value) in row.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))) copy[name] = value;
            table.AddEntity(copy);
        }
    }

    private static async Task AssertKeptAsync(AmazonKeyManagementServiceClient kms, string rotating, string disabled, string deleting, string grantId, string description)
    {
        var key = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/moved" })).KeyMetadata;
        Assert.Equal((rotating, description, KeyState.Enabled), (key.KeyId, key.Description, key.KeyState));
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = rotating })).KeyRotationEnabled);
        Assert.Equal(Policy, (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = rotating })).Policy);
        Assert.Equal(("team", "a"), (await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = rotating })).Tags.Select(t => (t.TagKey, t.TagValue)).Single());
        Assert.Equal(grantId, Assert.Single((await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = rotating })).Grants).GrantId);
        Assert.Equal(grantId, Assert.Single((await kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = Retiring })).Grants).GrantId);
        Assert.Equal(KeyState.Disabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = disabled })).KeyMetadata.KeyState);
        var pending = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = deleting })).KeyMetadata;
        Assert.Equal(KeyState.PendingDeletion, pending.KeyState);
        Assert.NotNull(pending.DeletionDate);
        Assert.Equal(new[] { rotating, disabled, deleting }.Order(StringComparer.Ordinal), (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId));
    }

    /// <summary>The earlier build's store registration (Orleans adds it to a silo builder; the test has the silo's services).</summary>
    private sealed class EarlierBuild(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services => services;

        public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
    }
}
