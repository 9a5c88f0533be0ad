using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>GetKeyPolicy, PutKeyPolicy, ListKeyPolicies and CreateKey's Policy through the official AWS SDK for .NET.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class KeyPolicySdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private const string AwsDefaultPolicy = """
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "arn:aws:iam::000000000000:root"
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """;

    private static string Policy(string principal = "\"arn:aws:iam::000000000000:root\"", string action = "\"kms:*\"", string resource = "\"*\"", string effect = "Allow") =>
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"s1","Effect":"{{effect}}","Principal":{"AWS":{{principal}}},"Action":{{action}},"Resource":{{resource}}}]}""";

    private async Task<string> GetPolicyAsync(string keyId, string? name = "default") =>
        (await _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyId, PolicyName = name })).Policy;

    [Fact]
    public async Task A_key_created_without_a_policy_has_AWS_default_key_policy_byte_for_byte()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var response = await _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });

        Assert.Equal(AwsDefaultPolicy.ReplaceLineEndings("\n"), response.Policy);
        Assert.Equal("default", response.PolicyName);
        Assert.Equal(response.Policy, await GetPolicyAsync(key.KeyId, name: null));
    }

    [Fact]
    public async Task CreateKey_keeps_the_policy_given_exactly_and_PutKeyPolicy_replaces_it()
    {
        var given = Policy(action: "[\"kms:Encrypt\",\"kms:Put*\",\"kms:GetKeyPolicy\"]");
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Policy = given })).KeyMetadata;
        Assert.Equal(given, await GetPolicyAsync(key.KeyId));

        var replaced = Policy(principal: "[\"000000000000\",\"arn:aws:iam::000000000000:role/admin\"]");
        await _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, Policy = replaced, PolicyName = "default" });

        Assert.Equal(replaced, await GetPolicyAsync(key.Arn));
        var names = await _kms.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key.KeyId });
        Assert.Equal(["default"], names.PolicyNames);
        Assert.False(names.Truncated);
    }

    [Fact]
    public async Task The_policy_of_a_disabled_key_or_one_pending_deletion_can_still_be_read_and_replaced()
    {
        var disabled = await _kms.NewLifecycleKeyAsync();
        var pending = await _kms.NewLifecycleKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabled.KeyId });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = pending.KeyId, PendingWindowInDays = 7 });

        foreach (var key in new[] { disabled, pending })
        {
            await _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Policy(principal: "\"*\"") });
            Assert.Equal(Policy(principal: "\"*\""), await GetPolicyAsync(key.KeyId));
        }
    }

    [Fact]
    public async Task A_policy_that_would_lock_the_caller_out_is_refused_unless_the_safety_check_is_bypassed()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var lockout = Policy(action: "[\"kms:Encrypt\",\"kms:Decrypt\"]");

        var e = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = lockout }));
        Assert.Equal("The new key policy will not allow you to update the key policy in the future.", e.Message);
        Assert.Equal(AwsDefaultPolicy.ReplaceLineEndings("\n"), await GetPolicyAsync(key.KeyId));
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = key.KeyId, Policy = Policy(principal: "\"arn:aws:iam::111122223333:root\""),
        }));
        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => _kms.CreateKeyAsync(new CreateKeyRequest { Policy = lockout }));

        await _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = lockout, BypassPolicyLockoutSafetyCheck = true });
        // Locked out indeed: the policy no longer lets the account read (or replace) it.
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => GetPolicyAsync(key.KeyId));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal($"User: arn:aws:iam::{Account}:root is not authorized to perform: kms:GetKeyPolicy on resource: {key.Arn} because no resource-based policy allows the kms:GetKeyPolicy action", denied.Message);
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Policy(principal: "\"*\""), BypassPolicyLockoutSafetyCheck = true }));
        Assert.Equal(Encoding.UTF8.GetBytes("x"), (await _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = (await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream("x"u8.ToArray()) })).CiphertextBlob,
        })).Plaintext.ToArray());
    }

    [Theory]
    [InlineData("not json", "The key policy is not a valid JSON policy document.")]
    [InlineData("[]", "The key policy is not a valid JSON policy document.")]
    [InlineData("{\"Version\":\"2012-10-17\"}", "The key policy has no Statement.")]
    [InlineData("{\"Statement\":[]}", "The key policy's Statement must be an object or a list of objects.")]
    [InlineData("{\"Statement\":{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}}", "Policy contains a statement without a valid Effect (Allow or Deny).")]
    [InlineData("{\"Statement\":{\"Effect\":1,\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}}", "Policy contains a statement without a valid Effect (Allow or Deny).")]
    [InlineData("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"*\"}}", "Policy contains a statement with no Action or NotAction element.")]
    [InlineData("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\"}}", "Policy contains a statement with no Resource or NotResource element.")]
    [InlineData("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"arn:aws:kms:us-east-1:000000000000:key/x\"}}", "Policy contains a statement with a Resource other than \"*\", the only resource of a key policy.")]
    [InlineData("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"alice\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}}", "Policy contains a statement with one or more invalid principals.")]
    [InlineData("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}}", "Policy contains a statement with one or more invalid principals.")]
    public async Task A_malformed_policy_document_is_MalformedPolicyDocumentException_and_changes_nothing(string policy, string message)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var put = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy, BypassPolicyLockoutSafetyCheck = true }));
        var create = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            _kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy, BypassPolicyLockoutSafetyCheck = true }));

        Assert.Equal(message, put.Message);
        Assert.Equal(message, create.Message);
        Assert.Equal(AwsDefaultPolicy.ReplaceLineEndings("\n"), await GetPolicyAsync(key.KeyId));
    }

    [Fact]
    public async Task Missing_keys_aliases_other_policy_names_and_other_accounts_get_AWS_errors()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("policy");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        var missing = $"arn:aws:kms:{Region}:{Account}:key/{Guid.NewGuid()}";

        var notFound = await Assert.ThrowsAsync<NotFoundException>(() => GetPolicyAsync(missing));
        Assert.Equal($"Key '{missing}' does not exist", notFound.Message);
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = missing, Policy = "not json" }));
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = missing }));
        await Assert.ThrowsAsync<NotFoundException>(() => GetPolicyAsync(alias));
        await Assert.ThrowsAsync<NotFoundException>(() => GetPolicyAsync(key.KeyId, name: "other"));
        var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => GetPolicyAsync($"arn:aws:kms:{Region}:111122223333:key/{key.KeyId}"));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        var invalid = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => GetPolicyAsync(key.KeyId, name: "not-valid"));
        Assert.Equal("ValidationException", invalid.ErrorCode);
        var limit = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key.KeyId, Limit = 1001 }));
        Assert.Equal("ValidationException", limit.ErrorCode);
    }
}
