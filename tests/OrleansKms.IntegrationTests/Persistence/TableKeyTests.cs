using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansKms.Grains;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Regions;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// Names that differ only by <c>/</c> against <c>_</c> (alias names, retiring principals) are different things on the
/// table store, as in AWS: before layout 3 the table key wrote both as <c>_</c>, so <c>alias/a/b</c> answered with
/// <c>alias/a_b</c>'s key and could not be created beside it. A store written then is sorted out at the next start.
/// </summary>
public sealed class TableKeyTests(SharedAzurite azurite)
{
    private readonly (string ServiceId, string RootKeyFile) _service = azurite.NewService("tablekeys");

    private Task<KmsServer> StartAsync() =>
        KmsServer.StartAsync(azurite.Options(_service.ServiceId, _service.RootKeyFile), TestContext.Current.CancellationToken);

    private TableClient KeyTable() =>
        new TableServiceClient(azurite.ConnectionString).GetTableClient(RegionNames.For("us-east-1", azurite.Options(_service.ServiceId, _service.RootKeyFile)).KeyTable);

    private static string Role(string name) => $"arn:aws:iam::000000000000:role/{name}";

    [Fact]
    public async Task Alias_names_and_retiring_principals_that_differ_only_by_slash_and_underscore_are_kept_apart_across_a_restart()
    {
        string first, second;
        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            first = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            second = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/a_b", TargetKeyId = first });
            Assert.Equal(NotFound, await DescribeAsync(kms, "alias/a/b"));
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/a/b", TargetKeyId = second });
            await GrantAsync(kms, first, Role("r_1"));
            await GrantAsync(kms, second, Role("r/1"));
            await AssertApartAsync(kms, first, second);
        }

        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            await AssertApartAsync(kms, first, second);
            await kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/a/b" });
            Assert.Equal((first, NotFound), (await DescribeAsync(kms, "alias/a_b"), await DescribeAsync(kms, "alias/a/b")));
        }
    }

    [Fact]
    public async Task A_store_written_with_shared_keys_gives_each_row_to_its_owner_at_the_next_start()
    {
        string underscore, slash, spare;
        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            underscore = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            slash = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            spare = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/u_v", TargetKeyId = underscore });
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/s/t", TargetKeyId = slash });
            await GrantAsync(kms, underscore, Role("x_y"));
            await GrantAsync(kms, slash, Role("p/q"));

            // Two principals whose grants the earlier build kept in one row.
            await GrantAsync(kms, underscore, Role("m_1"));
            await GrantAsync(kms, slash, Role("m/1"));

            // What the earlier build wrote: every '_' of a grain id as '_', so the two m principals in one row.
            WriteAsEarlierBuild(server.Services.GetRequiredService<Serializer>());
        }

        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            Assert.DoesNotContain(KeyTable().Query<TableEntity>(ServiceRows()), r => r.RowKey.StartsWith("alias$", StringComparison.Ordinal) && r.PartitionKey.EndsWith("alias_u_v", StringComparison.Ordinal));
            Assert.Equal((underscore, NotFound), (await DescribeAsync(kms, "alias/u_v"), await DescribeAsync(kms, "alias/u/v")));
            Assert.Equal((slash, NotFound), (await DescribeAsync(kms, "alias/s/t"), await DescribeAsync(kms, "alias/s_t")));
            Assert.Equal([underscore], await RetirableAsync(kms, Role("x_y")));
            Assert.Empty(await RetirableAsync(kms, Role("x/y")));
            Assert.Equal([slash], await RetirableAsync(kms, Role("p/q")));
            Assert.Equal([underscore], await RetirableAsync(kms, Role("m_1")));
            Assert.Equal([slash], await RetirableAsync(kms, Role("m/1")));

            // The other spelling of each is free now, and stays apart.
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/u/v", TargetKeyId = spare });
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/s_t", TargetKeyId = spare });
            Assert.Equal((underscore, spare), (await DescribeAsync(kms, "alias/u_v"), await DescribeAsync(kms, "alias/u/v")));
            Assert.Equal((slash, spare), (await DescribeAsync(kms, "alias/s/t"), await DescribeAsync(kms, "alias/s_t")));
        }
    }

    private const string NotFound = "NotFoundException";

    private string ServiceRows() =>
        $"PartitionKey ge '{_service.ServiceId}_' and PartitionKey lt '{_service.ServiceId}`'";

    /// <summary>
    /// Puts every row whose key holds an escaped '_' back under the earlier key ('~u' written as '_'), merging the
    /// retirable-grants rows that then meet, and marks the store as of layout 2.
    /// </summary>
    private void WriteAsEarlierBuild(Serializer serializer)
    {
        var table = KeyTable();
        var escaped = table.Query<TableEntity>(ServiceRows()).Where(r => r.PartitionKey.Contains("~u", StringComparison.Ordinal)).ToList();
        Assert.Contains(escaped, r => r.RowKey.StartsWith("alias$", StringComparison.Ordinal));
        foreach (var row in escaped)
        {
            var partition = row.PartitionKey.Replace("~u", "_", StringComparison.Ordinal);
            var stateName = row.RowKey[..row.RowKey.IndexOf('$', StringComparison.Ordinal)];
            var earlier = new TableEntity(partition, $"{stateName}${partition}") { ["State"] = row.GetBinary("State") };
            if (stateName == "retirable-grants" && table.GetEntityIfExists<TableEntity>(partition, earlier.RowKey) is { HasValue: true } met)
            {
                var mine = serializer.Deserialize<RetirableGrantsState>(row.GetBinary("State"))!;
                var theirs = serializer.Deserialize<RetirableGrantsState>(met.Value!.GetBinary("State"))!;
                Assert.Single(mine.Grants);
                earlier["State"] = serializer.SerializeToArray(new RetirableGrantsState { Grants = [.. theirs.Grants, .. mine.Grants], NextSequence = 3 });
            }

            table.UpsertEntity(earlier, TableUpdateMode.Replace);
            table.DeleteEntity(row.PartitionKey, row.RowKey, ETag.All);
        }

        table.UpsertEntity(new TableEntity("orleanskms", "$layout$" + _service.ServiceId) { ["Version"] = 2 }, TableUpdateMode.Replace);
    }

    private static async Task GrantAsync(AmazonKeyManagementServiceClient kms, string keyId, string retiring) =>
        await kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = keyId,
            GranteePrincipal = Role("app"),
            RetiringPrincipal = retiring,
            Operations = ["Decrypt"],
        });

    private static async Task<string> DescribeAsync(AmazonKeyManagementServiceClient kms, string alias)
    {
        try
        {
            return (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.KeyId;
        }
        catch (NotFoundException)
        {
            return NotFound;
        }
    }

    private static async Task<List<string>> RetirableAsync(AmazonKeyManagementServiceClient kms, string principal) =>
        [.. (await kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = principal })).Grants.Select(g => g.KeyId.Split('/')[^1])];

    private static async Task AssertApartAsync(AmazonKeyManagementServiceClient kms, string first, string second)
    {
        Assert.Equal((first, second), (await DescribeAsync(kms, "alias/a_b"), await DescribeAsync(kms, "alias/a/b")));
        var aliases = (await kms.ListAliasesAsync(new ListAliasesRequest())).Aliases.Where(a => a.AliasName.StartsWith("alias/a", StringComparison.Ordinal));
        Assert.Equal([("alias/a/b", second), ("alias/a_b", first)], aliases.Select(a => (a.AliasName, a.TargetKeyId)));
        Assert.Equal([first], await RetirableAsync(kms, Role("r_1")));
        Assert.Equal([second], await RetirableAsync(kms, Role("r/1")));
    }
}
