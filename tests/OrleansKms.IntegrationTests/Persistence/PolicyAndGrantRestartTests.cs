using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// On Azure Storage (the run's shared Azurite), across a stop and start of the service: key policies, grants (and
/// the retiring-principal index), and the sharded catalogs behind ListKeys and ListAliases.
/// </summary>
public sealed class PolicyAndGrantRestartTests(SharedAzurite azurite)
{
    private readonly (string ServiceId, string RootKeyFile) _service = azurite.NewService("policy");

    private Task<KmsServer> StartAsync() =>
        KmsServer.StartAsync(azurite.Options(_service.ServiceId, _service.RootKeyFile), TestContext.Current.CancellationToken);

    private const string Policy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"kms:*","Resource":"*"}]}""";

    [Fact]
    public async Task Policies_grants_and_the_key_and_alias_lists_survive_a_restart()
    {
        const string retiring = "arn:aws:iam::000000000000:role/retirer";
        List<string> keyIds;
        string grantId;
        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            keyIds = [];
            for (var i = 0; i < 6; i++) keyIds.Add((await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId);
            for (var i = 0; i < 6; i++) await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = $"alias/restart-{i}", TargetKeyId = keyIds[i] });
            await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyIds[0], Policy = Policy });
            grantId = (await kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = keyIds[1], GranteePrincipal = "arn:aws:iam::000000000000:role/app", RetiringPrincipal = retiring,
                Operations = ["Encrypt", "Decrypt"], Name = "restart",
            })).GrantId;
        }

        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            Assert.Equal(Policy, (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyIds[0] })).Policy);
            var grant = Assert.Single((await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = keyIds[1] })).Grants);
            Assert.Equal((grantId, "restart", retiring), (grant.GrantId, grant.Name, grant.RetiringPrincipal));
            Assert.Equal(["Encrypt", "Decrypt"], grant.Operations);
            var retirable = await kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retiring });
            Assert.Equal(grantId, Assert.Single(retirable.Grants).GrantId);
            Assert.Equal(keyIds.Order(StringComparer.Ordinal), (await kms.ListKeysAsync(new ListKeysRequest { Limit = 1000 })).Keys.Select(k => k.KeyId));
            var aliases = (await kms.ListAliasesAsync(new ListAliasesRequest { Limit = 100 })).Aliases;
            Assert.Equal(Enumerable.Range(0, 6).Select(i => $"alias/restart-{i}"), aliases.Select(a => a.AliasName));
            Assert.Equal(keyIds, aliases.Select(a => a.TargetKeyId));
        }

    }
}
