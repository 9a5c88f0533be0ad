using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;
using SdkGrantConstraints = Amazon.KeyManagementService.Model.GrantConstraints;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant through the official AWS SDK for .NET.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class GrantSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private static string Role(string name) => $"arn:aws:iam::{Account}:role/{name}-{Guid.NewGuid():N}";

    private Task<CreateGrantResponse> GrantAsync(string keyId, string grantee, string? retiring = null, string? name = null, params string[] operations) =>
        _kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = keyId, GranteePrincipal = grantee, RetiringPrincipal = retiring, Name = name,
            Operations = operations.Length == 0 ? ["Encrypt", "Decrypt"] : [.. operations],
        });

    private async Task<List<GrantListEntry>> GrantsAsync(string keyId) =>
        (await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = keyId })).Grants ?? [];

    [Fact]
    public async Task A_grant_is_listed_with_everything_CreateGrant_was_given()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var (grantee, retiring) = (Role("app"), Role("ops"));

        var created = await _kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.Arn, GranteePrincipal = grantee, RetiringPrincipal = retiring, Name = "app-grant",
            Operations = ["Encrypt", "GenerateDataKey"],
            Constraints = new SdkGrantConstraints { EncryptionContextSubset = new Dictionary<string, string> { ["tenant"] = "42" } },
        });

        Assert.Matches("^[0-9a-f]{64}$", created.GrantId);
        Assert.False(string.IsNullOrEmpty(created.GrantToken));
        var grant = Assert.Single(await GrantsAsync(key.KeyId));
        Assert.Equal(key.Arn, grant.KeyId);
        Assert.Equal(created.GrantId, grant.GrantId);
        Assert.Equal("app-grant", grant.Name);
        Assert.Equal(grantee, grant.GranteePrincipal);
        Assert.Equal(retiring, grant.RetiringPrincipal);
        Assert.Equal($"arn:aws:iam::{Account}:root", grant.IssuingAccount);
        Assert.Equal(["Encrypt", "GenerateDataKey"], grant.Operations);
        Assert.Equal("42", grant.Constraints.EncryptionContextSubset["tenant"]);
        AssertAbout(DateTime.UtcNow, grant.CreationDate);
    }

    [Fact]
    public async Task CreateGrant_with_the_same_name_and_terms_returns_the_same_grant_and_other_terms_make_a_new_one()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var grantee = Role("app");

        var first = await GrantAsync(key.KeyId, grantee, name: "again");
        var second = await GrantAsync(key.KeyId, grantee, name: "again");
        var other = await GrantAsync(key.KeyId, grantee, name: "again", operations: "Decrypt");

        Assert.Equal(first.GrantId, second.GrantId);
        Assert.NotEqual(first.GrantId, other.GrantId);
        Assert.Equal(2, (await GrantsAsync(key.KeyId)).Count);
        var filtered = await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GrantId = other.GrantId });
        Assert.Equal(other.GrantId, Assert.Single(filtered.Grants).GrantId);
        var service = await _kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteeServicePrincipal = "logs.us-east-1.amazonaws.com", Operations = ["Encrypt"],
        });
        var byGrantee = await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GranteePrincipal = grantee });
        Assert.Equal([first.GrantId, other.GrantId], byGrantee.Grants.Select(g => g.GrantId));
        var byService = await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GranteeServicePrincipal = "logs.us-east-1.amazonaws.com" });
        Assert.Equal(service.GrantId, Assert.Single(byService.Grants).GrantId);
        Assert.Equal("logs.us-east-1.amazonaws.com", byService.Grants[0].GranteeServicePrincipal);
    }

    [Fact]
    public async Task RevokeGrant_removes_a_grant_and_a_second_revoke_is_NotFoundException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var kept = await GrantAsync(key.KeyId, Role("kept"));
        var revoked = await GrantAsync(key.KeyId, Role("revoked"));

        await _kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = revoked.GrantId });

        Assert.Equal(kept.GrantId, Assert.Single(await GrantsAsync(key.KeyId)).GrantId);
        var again = await Assert.ThrowsAsync<NotFoundException>(() =>
            _kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = revoked.GrantId }));
        Assert.Equal($"Grant ID {revoked.GrantId} not found", again.Message);
        await Assert.ThrowsAsync<InvalidGrantIdException>(() => _kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = "not-a-grant" }));
    }

    [Fact]
    public async Task A_retiring_principal_lists_its_grants_across_keys_and_retiring_by_token_or_id_removes_them()
    {
        var (one, two) = (await _kms.NewLifecycleKeyAsync(), await _kms.NewLifecycleKeyAsync());
        var retiring = Role("retirer");
        var byToken = await GrantAsync(one.KeyId, Role("a"), retiring);
        var byId = await GrantAsync(two.KeyId, Role("b"), retiring);
        await GrantAsync(two.KeyId, Role("c"), Role("someone-else"));

        var retirable = await _kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retiring });
        Assert.Equal([(one.Arn, byToken.GrantId), (two.Arn, byId.GrantId)], retirable.Grants.Select(g => (g.KeyId, g.GrantId)));

        await _kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = byToken.GrantToken });
        await _kms.RetireGrantAsync(new RetireGrantRequest { KeyId = two.Arn, GrantId = byId.GrantId });

        Assert.Empty(await GrantsAsync(one.KeyId));
        Assert.Single(await GrantsAsync(two.KeyId));
        Assert.Empty((await _kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retiring })).Grants ?? []);
    }

    [Fact]
    public async Task Grant_tokens_this_service_issued_are_accepted_and_others_are_InvalidGrantTokenException_where_AWS_declares_it()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var token = (await GrantAsync(key.KeyId, Role("app"))).GrantToken;

        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([7]), GrantTokens = [token] });
        Assert.Equal([7], (await _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = encrypted.CiphertextBlob, GrantTokens = [token],
        })).Plaintext.ToArray());
        await Assert.ThrowsAsync<InvalidGrantTokenException>(() =>
            _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([7]), GrantTokens = [token, "not-a-token"] }));
        await Assert.ThrowsAsync<InvalidGrantTokenException>(() =>
            _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = "AES_256", GrantTokens = ["AQID"] }));
        // DescribeKey takes GrantTokens but does not declare InvalidGrantTokenException: it does not check them.
        Assert.Equal(key.Arn, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId, GrantTokens = ["AQID"] })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task ListGrants_pages_with_Limit_and_Marker()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await GrantAsync(key.KeyId, Role($"g{i}"))).GrantId);

        var listed = new List<string>();
        string? marker = null;
        do
        {
            var page = await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Limit = 2, Marker = marker });
            Assert.True(page.Grants.Count <= 2);
            listed.AddRange(page.Grants.Select(g => g.GrantId));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        Assert.Equal(ids, listed);
    }

    [Fact]
    public async Task Retiring_grants_between_pages_skips_none_of_the_rest()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await GrantAsync(key.KeyId, Role($"g{i}"))).GrantId);

        var first = await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Limit = 2 });
        foreach (var grant in first.Grants) await _kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = grant.GrantId });
        var rest = await _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Limit = 10, Marker = first.NextMarker });

        Assert.Equal(ids.Take(2), first.Grants.Select(g => g.GrantId));
        Assert.Equal(ids.Skip(2), rest.Grants.Select(g => g.GrantId));
        Assert.False(rest.Truncated);
        await Assert.ThrowsAsync<InvalidMarkerException>(() => _kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Marker = "junk" }));
    }

    [Fact]
    public async Task Retiring_service_principals_are_listed_apart_from_retiring_principals()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var service = $"svc{Guid.NewGuid():N}.us-east-1.amazonaws.com";
        var grant = await _kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteePrincipal = Role("app"), RetiringServicePrincipal = service, Operations = ["Decrypt"],
        });

        var byService = await _kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringServicePrincipal = service });
        var byPrincipal = await _kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = service });

        Assert.Equal(grant.GrantId, Assert.Single(byService.Grants).GrantId);
        Assert.Empty(byPrincipal.Grants ?? []);
        Assert.Equal("ValidationException", (await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = Role("x"), RetiringServicePrincipal = service }))).ErrorCode);
    }

    [Fact]
    public async Task Grants_are_refused_where_AWS_refuses_them()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var signing = (await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "ECC_NIST_P256", KeyUsage = "SIGN_VERIFY" })).KeyMetadata;
        var disabled = await _kms.NewLifecycleKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabled.KeyId });
        var pending = await _kms.NewLifecycleKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = pending.KeyId, PendingWindowInDays = 7 });
        var alias = UniqueAlias("grant");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        Assert.Equal("ValidationException", (await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            GrantAsync(signing.KeyId, Role("x"), operations: "Encrypt"))).ErrorCode);
        Assert.Equal("ValidationException", (await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = signing.KeyId, GranteePrincipal = Role("x"), Operations = ["Sign"],
                Constraints = new SdkGrantConstraints { EncryptionContextEquals = new Dictionary<string, string> { ["a"] = "b" } },
            }))).ErrorCode);
        Assert.Equal("ValidationException", (await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, Operations = ["Encrypt"] }))).ErrorCode);
        Assert.Equal("ValidationException", (await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId, GranteePrincipal = Role("x"), Operations = ["Decrypt"],
                Constraints = new SdkGrantConstraints { EncryptionContextSubset = new Dictionary<string, string> { ["big"] = new string('b', 9000) } },
            }))).ErrorCode);
        await Assert.ThrowsAsync<DisabledException>(() => GrantAsync(disabled.KeyId, Role("x")));
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => GrantAsync(pending.KeyId, Role("x")));
        await Assert.ThrowsAsync<NotFoundException>(() => GrantAsync(alias, Role("x")));
        await Assert.ThrowsAsync<InvalidGrantTokenException>(() => _kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = "not-a-token" }));
        await Assert.ThrowsAsync<DryRunOperationException>(() => _kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteePrincipal = Role("x"), Operations = ["Encrypt"], DryRun = true,
        }));
        Assert.Empty(await GrantsAsync(key.KeyId));
        Assert.Empty(await GrantsAsync(pending.KeyId)); // ListGrants works on a key pending deletion
    }
}
