using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// The errors every operation that takes a KeyId gives, as the AWS SDK for .NET sees them: unknown and malformed
/// keys, aliases that name nothing, disabled keys, and DryRun.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ErrorSdkTests(KmsServerFixture fixture) : IAsyncLifetime
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();
    private string _otherKeyId = null!;
    private byte[] _otherBlob = null!;

    /// <summary>
    /// What one call acts on: <see cref="KeyId"/> is the key under test; <see cref="OwnBlob"/> a ciphertext of it
    /// (for Decrypt and the ReEncrypt source); the other key is an enabled key with a ciphertext of its own.
    /// </summary>
    public sealed record Call(string KeyId, byte[] OwnBlob, string OtherKeyId, byte[] OtherBlob);

    private static MemoryStream M(byte[] bytes) => new(bytes);

    private static readonly Dictionary<string, Func<IAmazonKeyManagementService, Call, Task>> Crypto = new()
    {
        ["Encrypt"] = (kms, c) => kms.EncryptAsync(new EncryptRequest { KeyId = c.KeyId, Plaintext = M([1]) }),
        ["Decrypt"] = (kms, c) => kms.DecryptAsync(new DecryptRequest { KeyId = c.KeyId, CiphertextBlob = M(c.OwnBlob) }),
        ["ReEncrypt from"] = (kms, c) => kms.ReEncryptAsync(new ReEncryptRequest { SourceKeyId = c.KeyId, CiphertextBlob = M(c.OwnBlob), DestinationKeyId = c.OtherKeyId }),
        ["ReEncrypt to"] = (kms, c) => kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = M(c.OtherBlob), DestinationKeyId = c.KeyId }),
        ["GenerateDataKey"] = (kms, c) => kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = c.KeyId, KeySpec = DataKeySpec.AES_256 }),
        ["GenerateDataKeyWithoutPlaintext"] = (kms, c) => kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = c.KeyId, NumberOfBytes = 8 }),
    };

    private static readonly Dictionary<string, Func<IAmazonKeyManagementService, Call, Task>> Management = new()
    {
        ["DescribeKey"] = (kms, c) => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = c.KeyId }),
        ["EnableKey"] = (kms, c) => kms.EnableKeyAsync(new EnableKeyRequest { KeyId = c.KeyId }),
        ["DisableKey"] = (kms, c) => kms.DisableKeyAsync(new DisableKeyRequest { KeyId = c.KeyId }),
        ["UpdateKeyDescription"] = (kms, c) => kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = c.KeyId, Description = "d" }),
    };

    private static readonly Dictionary<string, Func<IAmazonKeyManagementService, Call, Task>> DryRun = new()
    {
        ["Encrypt"] = (kms, c) => kms.EncryptAsync(new EncryptRequest { KeyId = c.KeyId, Plaintext = M([1]), DryRun = true }),
        ["Decrypt"] = (kms, c) => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = M(c.OwnBlob), DryRun = true }),
        ["ReEncrypt"] = (kms, c) => kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = M(c.OwnBlob), DestinationKeyId = c.OtherKeyId, DryRun = true }),
        ["GenerateDataKey"] = (kms, c) => kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = c.KeyId, KeySpec = DataKeySpec.AES_128, DryRun = true }),
        ["GenerateDataKeyWithoutPlaintext"] = (kms, c) => kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = c.KeyId, KeySpec = DataKeySpec.AES_256, DryRun = true }),
    };

    private static Func<IAmazonKeyManagementService, Call, Task> Operation(string name) =>
        Crypto.TryGetValue(name, out var op) ? op : Management[name];

    public static TheoryData<string> AllOperations => [.. Management.Keys, .. Crypto.Keys];

    public static TheoryData<string> CryptoOperations => [.. Crypto.Keys];

    public static TheoryData<string> AliasAcceptingOperations => ["DescribeKey", .. Crypto.Keys];

    public static TheoryData<string> DryRunOperations => [.. DryRun.Keys];

    public static TheoryData<string, string> MalformedKeyIds()
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in Management.Keys.Concat(Crypto.Keys))
        {
            foreach (var keyId in new[] { "fake-key-id", "134f2428cec14b25a1ae9048164dba47" }) data.Add(operation, keyId);
        }

        return data;
    }

    public async ValueTask InitializeAsync()
    {
        var other = await _kms.NewKeyAsync("the other key");
        _otherKeyId = other.KeyId;
        _otherBlob = await _kms.EncryptAsync(other.KeyId, [4, 2]);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Call On(string keyId, byte[]? ownBlob = null) => new(keyId, ownBlob ?? _otherBlob, _otherKeyId, _otherBlob);

    private async Task<Call> NewKeyCallAsync()
    {
        var key = await _kms.NewKeyAsync();
        return On(key.KeyId, await _kms.EncryptAsync(key.KeyId, [5, 5, 5]));
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task An_unknown_key_id_is_NotFoundException_naming_the_key_arn(string operation)
    {
        var keyId = Guid.NewGuid().ToString();

        await Sdk.Throws<NotFoundException>(() => Operation(operation)(_kms, On(keyId)), $"Key '{Sdk.ArnOf(keyId)}' does not exist");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task An_unknown_key_arn_is_NotFoundException_naming_the_key_arn(string operation)
    {
        var arn = Sdk.ArnOf(Guid.NewGuid().ToString());

        await Sdk.Throws<NotFoundException>(() => Operation(operation)(_kms, On(arn)), $"Key '{arn}' does not exist");
    }

    [Theory]
    [MemberData(nameof(MalformedKeyIds))]
    public async Task A_malformed_key_id_is_NotFoundException_Invalid_keyId(string operation, string keyId)
    {
        await Sdk.Throws<NotFoundException>(() => Operation(operation)(_kms, On(keyId)), $"Invalid keyId '{keyId}'");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task A_key_arn_of_another_region_is_NotFoundException_Invalid_arn(string operation)
    {
        var arn = $"arn:aws:kms:us-west-2:{Sdk.Account}:key/{Guid.NewGuid()}";

        await Sdk.Throws<NotFoundException>(() => Operation(operation)(_kms, On(arn)), "Invalid arn us-west-2");
    }

    [Theory]
    [MemberData(nameof(AliasAcceptingOperations))]
    public async Task An_alias_that_names_no_key_is_NotFoundException_naming_the_alias_arn(string operation)
    {
        var alias = $"alias/missing-{Guid.NewGuid():N}";

        await Sdk.Throws<NotFoundException>(
            () => Operation(operation)(_kms, On(alias)), $"Alias arn:aws:kms:{Sdk.Region}:{Sdk.Account}:{alias} is not found.");
    }

    [Theory]
    [MemberData(nameof(CryptoOperations))]
    public async Task A_disabled_key_is_DisabledException_and_works_again_after_EnableKey(string operation)
    {
        var call = await NewKeyCallAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = call.KeyId });

        await Sdk.Throws<DisabledException>(() => Crypto[operation](_kms, call), $"{Sdk.ArnOf(call.KeyId)} is disabled.");
        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = call.KeyId });
        await Crypto[operation](_kms, call);
    }

    [Theory]
    [MemberData(nameof(DryRunOperations))]
    public async Task DryRun_of_a_call_that_would_succeed_is_DryRunOperationException(string operation)
    {
        var call = await NewKeyCallAsync();

        await Sdk.Throws<DryRunOperationException>(
            () => DryRun[operation](_kms, call), "The request would have succeeded, but the DryRun option is set.");
    }

    [Theory]
    [MemberData(nameof(DryRunOperations))]
    public async Task DryRun_of_a_call_that_would_fail_gives_the_failure(string operation)
    {
        var call = await NewKeyCallAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = call.KeyId });

        await Sdk.Throws<DisabledException>(() => DryRun[operation](_kms, call), $"{Sdk.ArnOf(call.KeyId)} is disabled.");
    }
}
