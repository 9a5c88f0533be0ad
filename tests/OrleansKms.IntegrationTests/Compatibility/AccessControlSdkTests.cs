using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;
using SdkGrantConstraints = Amazon.KeyManagementService.Model.GrantConstraints;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Two accounts and their principals, from an identities file: account A's root; alice (an identity policy allowing
/// kms:*); bob (no identity policy); carol (tag team=red, an ABAC identity policy: kms:* on keys tagged with her
/// team); account B's root; dave (B, kms:* identity policy); erin (B, no identity policy).
/// </summary>
public sealed class AccessControlServerFixture : KmsServerFixture
{
    public const string A = "111111111111";
    public const string B = "222222222222";
    public const string RootA = $"arn:aws:iam::{A}:root";
    public const string Alice = $"arn:aws:iam::{A}:user/alice";
    public const string Bob = $"arn:aws:iam::{A}:user/bob";
    public const string Carol = $"arn:aws:iam::{A}:user/carol";
    public const string RootB = $"arn:aws:iam::{B}:root";
    public const string Dave = $"arn:aws:iam::{B}:user/dave";
    public const string Erin = $"arn:aws:iam::{B}:user/erin";

    private const string KmsAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";

    private const string TeamKeys = """
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*",
           "Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]}
        """;

    protected override void Configure(KmsServerOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kms-access-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""
            { "identities": [
                { "accessKeyId": "ROOTA", "secretAccessKey": "s", "accountId": "{{A}}" },
                { "accessKeyId": "ALICE", "secretAccessKey": "s", "accountId": "{{A}}", "principalArn": "{{Alice}}", "policies": [ {{KmsAll}} ] },
                { "accessKeyId": "ALICE-VIA-S3", "secretAccessKey": "s", "accountId": "{{A}}", "principalArn": "{{Alice}}", "policies": [ {{KmsAll}} ], "viaService": "s3" },
                { "accessKeyId": "BOB", "secretAccessKey": "s", "accountId": "{{A}}", "principalArn": "{{Bob}}" },
                { "accessKeyId": "CAROL", "secretAccessKey": "s", "accountId": "{{A}}", "principalArn": "{{Carol}}",
                  "tags": { "team": "red" }, "policies": [ {{TeamKeys}} ] },
                { "accessKeyId": "ROOTB", "secretAccessKey": "s", "accountId": "{{B}}" },
                { "accessKeyId": "DAVE", "secretAccessKey": "s", "accountId": "{{B}}", "principalArn": "{{Dave}}", "policies": [ {{KmsAll}} ] },
                { "accessKeyId": "ERIN", "secretAccessKey": "s", "accountId": "{{B}}", "principalArn": "{{Erin}}" } ] }
            """);
        options.IdentitiesFile = file;
    }

    public AmazonKeyManagementServiceClient As(string accessKey) => Client(accessKey, "s");
}

[CollectionDefinition(Name)]
public sealed class AccessControlCollection : ICollectionFixture<AccessControlServerFixture>
{
    public const string Name = "access-control-server";
}

/// <summary>Key policies, identity policies, grants and their conditions in force, through the official AWS SDK for .NET.</summary>
[Collection(AccessControlCollection.Name)]
public sealed class AccessControlSdkTests(AccessControlServerFixture fixture)
{
    private const string A = AccessControlServerFixture.A;
    private const string B = AccessControlServerFixture.B;
    private readonly AmazonKeyManagementServiceClient _rootA = fixture.As("ROOTA");
    private readonly AmazonKeyManagementServiceClient _alice = fixture.As("ALICE");
    private readonly AmazonKeyManagementServiceClient _bob = fixture.As("BOB");
    private readonly AmazonKeyManagementServiceClient _aliceViaS3 = fixture.As("ALICE-VIA-S3");
    private readonly AmazonKeyManagementServiceClient _carol = fixture.As("CAROL");
    private readonly AmazonKeyManagementServiceClient _rootB = fixture.As("ROOTB");
    private readonly AmazonKeyManagementServiceClient _dave = fixture.As("DAVE");
    private readonly AmazonKeyManagementServiceClient _erin = fixture.As("ERIN");

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string Statement(string effect, string principal, string actions, string condition = "") =>
        $$"""{"Effect":"{{effect}}","Principal":{"AWS":{{principal}}},"Action":{{actions}},"Resource":"*"{{(condition.Length > 0 ? "," + condition : "")}}}""";

    private static string Policy(params string[] statements) =>
        $$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""";

    /// <summary>The statement AWS's default policy has: the account's root, so its IAM policies decide.</summary>
    private static string AccountRoot(string account = A) => Statement("Allow", $"\"arn:aws:iam::{account}:root\"", "\"kms:*\"");

    private async Task<Amazon.KeyManagementService.Model.KeyMetadata> KeyAsync(string? policy = null, Dictionary<string, string>? tags = null)
    {
        var created = await _rootA.CreateKeyAsync(new CreateKeyRequest
        {
            Policy = policy,
            Tags = tags?.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value }).ToList(),
        });
        return created.KeyMetadata;
    }

    private static Task<EncryptResponse> EncryptAsync(AmazonKeyManagementServiceClient kms, string keyId, Dictionary<string, string>? context = null, List<string>? tokens = null) =>
        kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = Bytes("secret"), EncryptionContext = context, GrantTokens = tokens });

    private static async Task<AmazonKeyManagementServiceException> DeniedAsync(Func<Task> call)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(call);
        Assert.Equal("AccessDeniedException", e.ErrorCode);
        return e;
    }

    [Fact]
    public async Task Under_the_default_key_policy_IAM_decides_a_user_with_an_identity_policy_may_and_one_without_may_not()
    {
        var key = await KeyAsync();

        var encrypted = await EncryptAsync(_alice, key.KeyId);
        Assert.Equal("secret", Encoding.UTF8.GetString((await _alice.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob })).Plaintext.ToArray()));

        var denied = await DeniedAsync(() => EncryptAsync(_bob, key.KeyId));
        Assert.Equal($"User: {AccessControlServerFixture.Bob} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action", denied.Message);
        await DeniedAsync(() => _bob.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
        var list = await DeniedAsync(() => _bob.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal($"User: {AccessControlServerFixture.Bob} is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action", list.Message);
        await DeniedAsync(() => _bob.CreateKeyAsync(new CreateKeyRequest()));
        await DeniedAsync(() => _bob.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 8 }));
        Assert.Contains(key.KeyId, (await _alice.ListKeysAsync(new ListKeysRequest { Limit = 1000 })).Keys.Select(k => k.KeyId));
    }

    [Fact]
    public async Task A_key_policy_that_names_a_user_allows_exactly_what_it_says_without_an_identity_policy()
    {
        var key = await KeyAsync(Policy(AccountRoot(), Statement("Allow", $"\"{AccessControlServerFixture.Bob}\"", "[\"kms:Encrypt\",\"kms:DescribeKey\"]")));

        await EncryptAsync(_bob, key.KeyId);
        Assert.Equal(key.Arn, (await _bob.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.Arn);
        var blob = (await EncryptAsync(_alice, key.KeyId)).CiphertextBlob;
        var decrypt = await DeniedAsync(() => _bob.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        Assert.Equal("The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.", decrypt.Message);
        var named = await DeniedAsync(() => _bob.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, KeyId = key.Arn }));
        Assert.Equal($"User: {AccessControlServerFixture.Bob} is not authorized to perform: kms:Decrypt on resource: {key.Arn} because no identity-based policy allows the kms:Decrypt action", named.Message);
    }

    [Fact]
    public async Task A_key_policy_without_the_account_statement_shuts_out_even_users_whose_identity_policy_allows()
    {
        var key = await KeyAsync(Policy(
            Statement("Allow", $"\"{AccessControlServerFixture.RootA}\"", "[\"kms:PutKeyPolicy\",\"kms:GetKeyPolicy\"]"),
            Statement("Allow", $"\"{AccessControlServerFixture.Bob}\"", "\"kms:Encrypt\"")));

        var e = await DeniedAsync(() => EncryptAsync(_alice, key.KeyId));
        Assert.Equal($"User: {AccessControlServerFixture.Alice} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no resource-based policy allows the kms:Encrypt action", e.Message);
        var describe = await DeniedAsync(() => _rootA.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
        Assert.Contains("kms:DescribeKey", describe.Message);
        await EncryptAsync(_bob, key.KeyId);
        Assert.Contains("kms:Encrypt", (await _rootA.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" })).Policy);
    }

    [Fact]
    public async Task An_explicit_deny_wins_over_every_allow_and_conditions_on_the_encryption_context_decide()
    {
        var key = await KeyAsync(Policy(AccountRoot(),
            Statement("Deny", "\"*\"", "\"kms:Decrypt\"", """ "Condition":{"StringNotEquals":{"kms:EncryptionContext:purpose":"billing"}}""")));
        var billing = new Dictionary<string, string> { ["purpose"] = "billing" };
        var other = new Dictionary<string, string> { ["purpose"] = "other" };

        var ok = await EncryptAsync(_alice, key.KeyId, billing);
        Assert.Equal("secret", Encoding.UTF8.GetString((await _alice.DecryptAsync(new DecryptRequest { CiphertextBlob = ok.CiphertextBlob, EncryptionContext = billing })).Plaintext.ToArray()));
        var blocked = await EncryptAsync(_alice, key.KeyId, other);
        var e = await DeniedAsync(() => _alice.DecryptAsync(new DecryptRequest { CiphertextBlob = blocked.CiphertextBlob, EncryptionContext = other, KeyId = key.KeyId }));
        Assert.Equal($"User: {AccessControlServerFixture.Alice} is not authorized to perform: kms:Decrypt on resource: {key.Arn} with an explicit deny in a resource-based policy", e.Message);
        await DeniedAsync(() => _rootA.DecryptAsync(new DecryptRequest { CiphertextBlob = blocked.CiphertextBlob, EncryptionContext = other, KeyId = key.KeyId }));
    }

    [Fact]
    public async Task Tags_decide_with_attribute_based_access_control()
    {
        var red = await KeyAsync(tags: new() { ["team"] = "red" });
        var blue = await KeyAsync(tags: new() { ["team"] = "blue" });

        await EncryptAsync(_carol, red.KeyId);
        await DeniedAsync(() => EncryptAsync(_carol, blue.KeyId));
        await DeniedAsync(() => _carol.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = red.KeyId, KeySpec = DataKeySpec.AES_256 }));

        // Retagging the key moves it out of carol's reach at once.
        await _rootA.TagResourceAsync(new TagResourceRequest { KeyId = red.KeyId, Tags = [new Tag { TagKey = "team", TagValue = "green" }] });
        await DeniedAsync(() => EncryptAsync(_carol, red.KeyId));
    }

    [Fact]
    public async Task Another_account_needs_the_key_policy_and_its_own_identity_policy()
    {
        var closed = await KeyAsync();
        var e = await DeniedAsync(() => EncryptAsync(_dave, closed.Arn));
        Assert.Equal($"User: {AccessControlServerFixture.Dave} is not authorized to perform: kms:Encrypt on resource: {closed.Arn} because no resource-based policy allows the kms:Encrypt action", e.Message);

        var shared = await KeyAsync(Policy(AccountRoot(), Statement("Allow", $"\"arn:aws:iam::{B}:root\"", "[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:DescribeKey\",\"kms:ScheduleKeyDeletion\"]")));
        var blob = (await EncryptAsync(_dave, shared.Arn)).CiphertextBlob;
        Assert.Equal("secret", Encoding.UTF8.GetString((await _rootB.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, KeyId = shared.Arn })).Plaintext.ToArray()));
        Assert.Equal(A, (await _dave.DescribeKeyAsync(new DescribeKeyRequest { KeyId = shared.Arn })).KeyMetadata.AWSAccountId);
        var erin = await DeniedAsync(() => EncryptAsync(_erin, shared.Arn));
        Assert.EndsWith("because no identity-based policy allows the kms:Encrypt action", erin.Message);
        // Key management never crosses accounts, whatever the key policy says.
        await DeniedAsync(() => _dave.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = shared.Arn, PendingWindowInDays = 7 }));
        Assert.Equal(KeyState.Enabled, (await _rootA.DescribeKeyAsync(new DescribeKeyRequest { KeyId = shared.KeyId })).KeyMetadata.KeyState);
        await DeniedAsync(() => _dave.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = $"arn:aws:kms:{fixture.Region}:{A}:key/{Guid.NewGuid()}", PolicyName = "default" }));
    }

    [Fact]
    public async Task A_grant_gives_its_grantee_its_operations_within_its_constraints()
    {
        var key = await KeyAsync();
        var grant = await _rootA.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.KeyId, GranteePrincipal = AccessControlServerFixture.Bob, Operations = ["Encrypt", "Decrypt"],
            Constraints = new SdkGrantConstraints { EncryptionContextSubset = new Dictionary<string, string> { ["tenant"] = "42" } },
        });
        var tenant = new Dictionary<string, string> { ["tenant"] = "42", ["extra"] = "x" };

        var blob = (await EncryptAsync(_bob, key.KeyId, tenant, [grant.GrantToken])).CiphertextBlob;
        Assert.Equal("secret", Encoding.UTF8.GetString((await _bob.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, EncryptionContext = tenant })).Plaintext.ToArray()));
        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId, new() { ["tenant"] = "43" }));
        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId));
        await DeniedAsync(() => _bob.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = tenant }));

        await _rootA.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = grant.GrantId });
        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId, tenant));
        // The token of a revoked grant gives nothing back.
        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId, tenant, [grant.GrantToken]));
    }

    [Fact]
    public async Task A_forged_or_altered_grant_token_is_InvalidGrantTokenException()
    {
        var key = await KeyAsync();
        var token = (await _rootA.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = AccessControlServerFixture.Bob, Operations = ["Encrypt"] })).GrantToken;
        var dot = token.LastIndexOf('.');
        var tag = token[(dot + 1)..];
        var forged = token[..(dot + 1)] + (tag[0] == 'A' ? 'B' : 'A') + tag[1..];

        await Assert.ThrowsAsync<InvalidGrantTokenException>(() => EncryptAsync(_bob, key.KeyId, tokens: [forged]));
        await EncryptAsync(_bob, key.KeyId, tokens: [token]);
    }

    [Fact]
    public async Task RetireGrant_and_RevokeGrant_are_allowed_to_exactly_whom_AWS_allows()
    {
        var key = await KeyAsync();
        async Task<CreateGrantResponse> GrantAsync(string? retiring, params string[] operations) =>
            await _rootA.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = AccessControlServerFixture.Bob, RetiringPrincipal = retiring, Operations = [.. operations] });

        var plain = await GrantAsync(null, "Encrypt");
        await DeniedAsync(() => _bob.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = plain.GrantId }));
        await DeniedAsync(() => _bob.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.Arn, GrantId = plain.GrantId }));
        await DeniedAsync(() => _erin.RetireGrantAsync(new RetireGrantRequest { GrantToken = plain.GrantToken }));

        var retirable = await GrantAsync(null, "Encrypt", "RetireGrant");
        await _bob.RetireGrantAsync(new RetireGrantRequest { GrantToken = retirable.GrantToken });

        var byCarol = await GrantAsync(AccessControlServerFixture.Carol, "Encrypt");
        await _carol.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = byCarol.GrantId });

        // alice's identity policy gives kms:RetireGrant and (under the default key policy) kms:RevokeGrant.
        var other = await GrantAsync(null, "Decrypt");
        await _alice.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = other.GrantId });
        await _alice.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.Arn, GrantId = plain.GrantId });

        var left = (await _rootA.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants ?? [];
        Assert.Empty(left);
    }

    [Fact]
    public async Task The_lockout_safety_check_evaluates_the_new_policy_for_the_caller()
    {
        var key = await KeyAsync();
        // alice may put a policy through IAM only while the policy keeps the account statement.
        var bobOnly = Policy(Statement("Allow", $"\"{AccessControlServerFixture.Bob}\"", "\"kms:*\""));
        var e = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            _alice.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = bobOnly }));
        Assert.Equal("The new key policy will not allow you to update the key policy in the future.", e.Message);
        await _alice.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = Policy(AccountRoot(), Statement("Allow", $"\"{AccessControlServerFixture.Bob}\"", "\"kms:Encrypt\"")) });
        await EncryptAsync(_bob, key.KeyId);

        // A condition the caller does not meet counts as it would on the next call.
        var conditional = Policy(Statement("Allow", $"\"{AccessControlServerFixture.RootA}\"", "\"kms:*\"", """ "Condition":{"Bool":{"aws:SecureTransport":"true"}}"""));
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            _rootA.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = conditional }));
    }

    [Fact]
    public async Task An_unknown_condition_operator_is_MalformedPolicyDocumentException()
    {
        var policy = Policy(AccountRoot(), Statement("Allow", "\"*\"", "\"kms:Encrypt\"", """ "Condition":{"StringSortOf":{"kms:CallerAccount":"1"}}"""));
        var e = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => _rootA.CreateKeyAsync(new CreateKeyRequest { Policy = policy }));
        Assert.False(string.IsNullOrEmpty(e.Message));
    }

    [Fact]
    public async Task Aliases_need_the_alias_permission_and_the_key_permission()
    {
        var key = await KeyAsync(Policy(AccountRoot(), Statement("Deny", $"\"{AccessControlServerFixture.Alice}\"", "\"kms:CreateAlias\"")));
        var name = $"alias/ac-{Guid.NewGuid():N}";

        var e = await DeniedAsync(() => _alice.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId }));
        Assert.Contains("with an explicit deny in a resource-based policy", e.Message);
        await DeniedAsync(() => _bob.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId }));
        await _rootA.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId });
        await EncryptAsync(_alice, name);
        await DeniedAsync(() => _bob.DeleteAliasAsync(new DeleteAliasRequest { AliasName = name }));
        await _alice.DeleteAliasAsync(new DeleteAliasRequest { AliasName = name });
    }

    [Fact]
    public async Task A_condition_on_the_requested_alias_is_evaluated()
    {
        var key = await KeyAsync(Policy(AccountRoot(),
            Statement("Allow", $"\"{AccessControlServerFixture.Bob}\"", "\"kms:Encrypt\"", """ "Condition":{"StringEquals":{"kms:RequestAlias":"alias/bob-may"}}""")));
        await _rootA.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/bob-may", TargetKeyId = key.KeyId });

        await EncryptAsync(_bob, "alias/bob-may");
        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId));
    }

    [Fact]
    public async Task The_AWS_managed_key_of_a_service_is_created_on_first_use_through_it_and_serves_only_through_it()
    {
        const string alias = "alias/aws/s3";
        var notYet = await Assert.ThrowsAsync<NotFoundException>(() => EncryptAsync(_alice, alias));
        Assert.Equal($"Alias arn:aws:kms:{fixture.Region}:{A}:{alias} is not found.", notYet.Message);

        var first = await EncryptAsync(_aliceViaS3, alias);
        var again = await EncryptAsync(_aliceViaS3, alias);
        Assert.Equal(first.KeyId, again.KeyId);
        Assert.Equal("secret", Encoding.UTF8.GetString((await _aliceViaS3.DecryptAsync(new DecryptRequest { CiphertextBlob = first.CiphertextBlob })).Plaintext.ToArray()));

        var key = (await _rootA.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata;
        Assert.Equal(first.KeyId, key.Arn);
        Assert.Equal(KeyManagerType.AWS, key.KeyManager);
        var rotation = await _rootA.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.True(rotation.KeyRotationEnabled);
        Assert.Equal(365, rotation.RotationPeriodInDays);
        Assert.Contains("kms:ViaService", (await _rootA.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" })).Policy);
        Assert.Contains(alias, (await _rootA.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId })).Aliases.Select(a => a.AliasName));

        // Never directly from application code, never managed, never from another account.
        var direct = await DeniedAsync(() => EncryptAsync(_alice, key.Arn));
        Assert.EndsWith("because no resource-based policy allows the kms:Encrypt action", direct.Message);
        await DeniedAsync(() => _alice.DecryptAsync(new DecryptRequest { CiphertextBlob = first.CiphertextBlob }));
        await DeniedAsync(() => _rootA.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = Policy(AccountRoot()) }));
        await DeniedAsync(() => _rootA.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 }));
        await DeniedAsync(() => _rootA.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId }));
        await DeniedAsync(() => EncryptAsync(_dave, key.Arn));
        await Assert.ThrowsAsync<InvalidAliasNameException>(() => _rootA.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/mine", TargetKeyId = key.KeyId }));
    }

    [Fact]
    public async Task A_condition_on_the_keys_aliases_follows_aliases_as_they_are_created_moved_and_deleted()
    {
        var financeOnly = Statement("Allow", $"\"{AccessControlServerFixture.Bob}\"", "\"kms:Encrypt\"",
            """ "Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}""");
        var key = await KeyAsync(Policy(AccountRoot(), financeOnly));
        var other = await KeyAsync(Policy(AccountRoot(), financeOnly));
        var alias = $"alias/finance-{Guid.NewGuid():N}";

        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId));
        await _rootA.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await EncryptAsync(_bob, key.KeyId);

        await _rootA.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = other.KeyId });
        await DeniedAsync(() => EncryptAsync(_bob, key.KeyId));
        await EncryptAsync(_bob, other.KeyId);

        await _rootA.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });
        await DeniedAsync(() => EncryptAsync(_bob, other.KeyId));
    }
}
