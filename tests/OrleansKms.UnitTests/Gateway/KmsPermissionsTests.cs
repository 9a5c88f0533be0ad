using System.Text.Json;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>
/// Keeps the permission table equal to the AWS API model's operations and to AWS's "AWS KMS permissions" table
/// (kms-api-permissions-reference) for the rows sampled here.
/// </summary>
public sealed class KmsPermissionsTests
{
    private static readonly JsonDocument Model =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kms-service-2.json")));

    private static List<string> ModelOperations() =>
        Model.RootElement.GetProperty("operations").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    private static readonly string[] KeyOperationConditions =
    [
        "kms:CallerAccount", "kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin", "kms:MultiRegion",
        "kms:MultiRegionKeyType", "kms:ResourceAliases", "aws:ResourceTag/", "kms:ViaService",
    ];

    private const PermissionPolicyType Kp = PermissionPolicyType.KeyPolicy, Iam = PermissionPolicyType.IamPolicy;
    private const PermissionResource Key = PermissionResource.Key, Alias = PermissionResource.Alias, Any = PermissionResource.None;

    [Fact]
    public void The_table_has_exactly_the_model_operations()
    {
        Assert.Equal(ModelOperations(), KmsPermissions.ByOperation.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.All(KmsPermissions.ByOperation.Values, permissions => Assert.NotEmpty(permissions));
    }

    [Fact]
    public void Every_action_is_kms_colon_an_action_name_and_each_operation_needs_its_own()
    {
        var actionNames = ModelOperations().Where(o => o != "ReEncrypt").Concat(["ReEncryptFrom", "ReEncryptTo"]).ToHashSet();
        foreach (var (operation, permissions) in KmsPermissions.ByOperation)
        {
            Assert.All(permissions, p => Assert.Contains(p.Action["kms:".Length..], actionNames));
            Assert.All(permissions, p => Assert.StartsWith("kms:", p.Action, StringComparison.Ordinal));
            if (operation != "ReEncrypt") Assert.Equal("kms:" + operation, permissions[0].Action);
        }
    }

    [Theory]
    [InlineData("Encrypt", 0, "kms:Encrypt", Kp, true, Key)]
    [InlineData("Decrypt", 0, "kms:Decrypt", Kp, true, Key)]
    [InlineData("ReEncrypt", 0, "kms:ReEncryptFrom", Kp, true, Key)]
    [InlineData("ReEncrypt", 1, "kms:ReEncryptTo", Kp, true, Key)]
    [InlineData("CreateAlias", 0, "kms:CreateAlias", Iam, false, Alias)]
    [InlineData("CreateAlias", 1, "kms:CreateAlias", Kp, false, Key)]
    [InlineData("UpdateAlias", 0, "kms:UpdateAlias", Iam, false, Alias)]
    [InlineData("UpdateAlias", 1, "kms:UpdateAlias", Kp, false, Key)]
    [InlineData("UpdateAlias", 2, "kms:UpdateAlias", Kp, false, Key)]
    [InlineData("DeleteAlias", 0, "kms:DeleteAlias", Iam, false, Alias)]
    [InlineData("DeleteAlias", 1, "kms:DeleteAlias", Kp, false, Key)]
    [InlineData("CreateKey", 0, "kms:CreateKey", Iam, false, Any)]
    [InlineData("CreateKey", 1, "kms:TagResource", Iam, false, Any)]
    [InlineData("ListKeys", 0, "kms:ListKeys", Iam, false, Any)]
    [InlineData("ListAliases", 0, "kms:ListAliases", Iam, false, Any)]
    [InlineData("GenerateRandom", 0, "kms:GenerateRandom", Iam, false, Any)]
    [InlineData("CreateGrant", 0, "kms:CreateGrant", Kp, true, Key)]
    [InlineData("RetireGrant", 0, "kms:RetireGrant", Iam, true, Key)]
    [InlineData("RevokeGrant", 0, "kms:RevokeGrant", Kp, true, Key)]
    [InlineData("ListRetirableGrants", 0, "kms:ListRetirableGrants", Iam, false, Any)]
    [InlineData("PutKeyPolicy", 0, "kms:PutKeyPolicy", Kp, false, Key)]
    [InlineData("DescribeKey", 0, "kms:DescribeKey", Kp, true, Key)]
    [InlineData("GetKeyPolicy", 0, "kms:GetKeyPolicy", Kp, false, Key)]
    [InlineData("GetKeyRotationStatus", 0, "kms:GetKeyRotationStatus", Kp, true, Key)]
    [InlineData("ScheduleKeyDeletion", 0, "kms:ScheduleKeyDeletion", Kp, false, Key)]
    [InlineData("Sign", 0, "kms:Sign", Kp, true, Key)]
    [InlineData("GenerateMac", 0, "kms:GenerateMac", Kp, true, Key)]
    [InlineData("DeriveSharedSecret", 0, "kms:DeriveSharedSecret", Kp, true, Key)]
    [InlineData("ImportKeyMaterial", 0, "kms:ImportKeyMaterial", Kp, false, Key)]
    [InlineData("ReplicateKey", 0, "kms:ReplicateKey", Kp, false, Key)]
    [InlineData("ReplicateKey", 1, "kms:CreateKey", Iam, false, Any)]
    [InlineData("ReplicateKey", 2, "kms:TagResource", Iam, false, Any)]
    [InlineData("UpdatePrimaryRegion", 0, "kms:UpdatePrimaryRegion", Kp, false, Key)]
    [InlineData("UpdatePrimaryRegion", 1, "kms:UpdatePrimaryRegion", Kp, false, Key)]
    [InlineData("GetKeyLastUsage", 0, "kms:GetKeyLastUsage", Kp, false, Key)]
    [InlineData("CreateCustomKeyStore", 0, "kms:CreateCustomKeyStore", Iam, false, Any)]
    [InlineData("TagResource", 0, "kms:TagResource", Kp, false, Key)]
    public void Documented_rows_are_as_AWS_documents_them(
        string operation, int index, string action, PermissionPolicyType policyType, bool crossAccount, PermissionResource resource)
    {
        var permission = KmsPermissions.For(operation)[index];
        Assert.Equal((action, policyType, crossAccount, resource),
            (permission.Action, permission.PolicyType, permission.CrossAccount, permission.Resource));
    }

    [Theory]
    [InlineData("Encrypt", 1)]
    [InlineData("ReEncrypt", 2)]
    [InlineData("CreateAlias", 2)]
    [InlineData("UpdateAlias", 3)]
    [InlineData("DeleteAlias", 2)]
    [InlineData("CreateKey", 2)]
    [InlineData("ReplicateKey", 3)]
    [InlineData("UpdatePrimaryRegion", 2)]
    public void Operations_needing_several_permissions_list_each(string operation, int count) =>
        Assert.Equal(count, KmsPermissions.For(operation).Count);

    [Fact]
    public void KeyPolicy_permissions_target_keys()
    {
        var all = KmsPermissions.ByOperation.Values.SelectMany(p => p).ToList();
        Assert.All(all.Where(p => p.PolicyType == PermissionPolicyType.KeyPolicy), p => Assert.Equal(PermissionResource.Key, p.Resource));
        Assert.DoesNotContain(all, p => p.CrossAccount && p.Resource != PermissionResource.Key);
    }

    [Fact]
    public void The_IAM_policy_only_operations_are_those_AWS_lists()
    {
        string[] expected =
        [
            "ConnectCustomKeyStore", "CreateCustomKeyStore", "CreateKey", "DeleteCustomKeyStore", "DescribeCustomKeyStores",
            "DisconnectCustomKeyStore", "GenerateRandom", "ListAliases", "ListKeys", "ListRetirableGrants", "RetireGrant",
            "UpdateCustomKeyStore",
        ];
        var iamOnly = KmsPermissions.ByOperation
            .Where(e => e.Value.All(p => p.PolicyType == PermissionPolicyType.IamPolicy))
            .Select(e => e.Key).Order(StringComparer.Ordinal);
        Assert.Equal(expected, iamOnly);
    }

    [Fact]
    public void Key_policy_permissions_carry_the_KMS_key_operation_conditions_and_resource_less_ones_none_of_the_resource_conditions()
    {
        var all = KmsPermissions.ByOperation.Values.SelectMany(p => p).ToList();
        Assert.All(all.Where(p => p.PolicyType == PermissionPolicyType.KeyPolicy),
            p => Assert.Empty(KeyOperationConditions.Except(p.ConditionKeys)));
        Assert.All(all.Where(p => p.Resource != PermissionResource.Key),
            p => Assert.DoesNotContain("kms:ResourceAliases", p.ConditionKeys));
        Assert.All(all, p => Assert.Equal(p.ConditionKeys.Distinct().Count(), p.ConditionKeys.Count));
    }

    [Theory]
    [InlineData("Encrypt", "kms:EncryptionContext:")]
    [InlineData("Decrypt", "kms:EncryptionAlgorithm")]
    [InlineData("GenerateDataKey", "kms:RequestAlias")]
    [InlineData("GenerateDataKeyPair", "kms:DataKeyPairSpec")]
    [InlineData("ReEncrypt", "kms:ReEncryptOnSameKey")]
    [InlineData("Sign", "kms:SigningAlgorithm")]
    [InlineData("Verify", "kms:MessageType")]
    [InlineData("VerifyMac", "kms:MacAlgorithm")]
    [InlineData("DeriveSharedSecret", "kms:KeyAgreementAlgorithm")]
    [InlineData("CreateGrant", "kms:GrantOperations")]
    [InlineData("CreateGrant", "kms:GranteePrincipal")]
    [InlineData("CreateGrant", "kms:RetiringPrincipal")]
    [InlineData("CreateGrant", "kms:GrantConstraintType")]
    [InlineData("ListGrants", "kms:GrantIsForAWSResource")]
    [InlineData("RetireGrant", "kms:EncryptionContextKeys")]
    [InlineData("CreateKey", "kms:BypassPolicyLockoutSafetyCheck")]
    [InlineData("CreateKey", "aws:RequestTag/")]
    [InlineData("PutKeyPolicy", "kms:BypassPolicyLockoutSafetyCheck")]
    [InlineData("EnableKeyRotation", "kms:RotationPeriodInDays")]
    [InlineData("ScheduleKeyDeletion", "kms:ScheduleKeyDeletionPendingWindowInDays")]
    [InlineData("GetParametersForImport", "kms:WrappingAlgorithm")]
    [InlineData("ImportKeyMaterial", "kms:ValidTo")]
    [InlineData("ReplicateKey", "kms:ReplicaRegion")]
    [InlineData("UpdatePrimaryRegion", "kms:PrimaryRegion")]
    [InlineData("TagResource", "aws:TagKeys")]
    public void An_operations_own_condition_keys_are_listed(string operation, string conditionKey) =>
        Assert.Contains(conditionKey, KmsPermissions.For(operation)[0].ConditionKeys);

    [Theory]
    [InlineData("CreateAlias")]
    [InlineData("ListKeys")]
    [InlineData("ListAliases")]
    [InlineData("GenerateRandom")]
    [InlineData("ListRetirableGrants")]
    public void Permissions_AWS_lists_without_condition_keys_have_none(string operation) =>
        Assert.Empty(KmsPermissions.For(operation)[0].ConditionKeys);

    [Fact]
    public void Custom_key_store_operations_are_conditioned_only_on_the_callers_account() =>
        Assert.All(KmsPermissions.ByOperation.Where(e => e.Key.Contains("CustomKeyStore", StringComparison.Ordinal)),
            e => Assert.Equal(["kms:CallerAccount"], e.Value.Single().ConditionKeys));

    [Theory]
    [InlineData("Nope")]
    [InlineData("encrypt")]
    [InlineData("ReEncryptFrom")]
    public void A_name_that_is_not_an_operation_is_not_found(string name) =>
        Assert.Throws<KeyNotFoundException>(() => KmsPermissions.For(name));
}
