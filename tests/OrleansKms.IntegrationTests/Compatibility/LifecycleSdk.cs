using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>Small helpers shared by the key-lifecycle SDK tests (aliases, tags, rotation, deletion).</summary>
internal static class LifecycleSdk
{
    public const string Account = "000000000000";
    public const string Region = "us-east-1";

    public static async Task<Amazon.KeyManagementService.Model.KeyMetadata> NewLifecycleKeyAsync(this AmazonKeyManagementServiceClient kms, string description = "lifecycle") =>
        (await kms.CreateKeyAsync(new CreateKeyRequest { Description = description })).KeyMetadata;

    /// <summary>An alias name no other test of the shared server uses.</summary>
    public static string UniqueAlias(string purpose) => $"alias/{purpose}-{Guid.NewGuid():N}";

    public static string AliasArn(string aliasName) => $"arn:aws:kms:{Region}:{Account}:{aliasName}";

    public static async Task<byte[]> EncryptToBlobAsync(this AmazonKeyManagementServiceClient kms, string keyId, byte[] plaintext) =>
        (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext) })).CiphertextBlob.ToArray();

    public static Task<DecryptResponse> DecryptBlobAsync(this AmazonKeyManagementServiceClient kms, byte[] ciphertext, string? keyId = null) =>
        kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext), KeyId = keyId });

    /// <summary>A server timestamp is within a minute of the expected time (the server uses the real clock).</summary>
    public static void AssertAbout(DateTime expectedUtc, DateTime? actual)
    {
        Assert.NotNull(actual);
        var difference = (actual.Value.ToUniversalTime() - expectedUtc).Duration();
        Assert.True(difference < TimeSpan.FromMinutes(1), $"Expected about {expectedUtc:O}, got {actual.Value.ToUniversalTime():O}.");
    }
}
