using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using SdkKeyMetadata = Amazon.KeyManagementService.Model.KeyMetadata;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>What the SDK tests share: AWS error assertions and a few calls every test class makes.</summary>
internal static class Sdk
{
    /// <summary>The account of the development identity (access key test).</summary>
    public const string Account = "000000000000";

    public const string Region = "us-east-1";

    public static string ArnOf(string keyId) => $"arn:aws:kms:{Region}:{Account}:key/{keyId}";

    /// <summary>The call fails with exactly <typeparamref name="T"/>, HTTP 400, and (if given) AWS's message.</summary>
    public static async Task<T> Throws<T>(Func<Task> call, string? message = null) where T : AmazonKeyManagementServiceException
    {
        var e = await Assert.ThrowsAsync<T>(call);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.RequestId), "every error carries the x-amzn-RequestId the SDK reports");
        if (message is not null) Assert.Equal(message, e.Message);
        return e;
    }

    /// <summary>
    /// The call fails with an error code the SDK has no exception type for (ValidationException, the signature
    /// errors): a plain AmazonKeyManagementServiceException whose ErrorCode is the code.
    /// </summary>
    public static async Task<AmazonKeyManagementServiceException> ThrowsCode(string code, Func<Task> call, string? message = null)
    {
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(call);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.RequestId), "every error carries the x-amzn-RequestId the SDK reports");
        if (message is not null) Assert.Equal(message, e.Message);
        return e;
    }

    public static Task<AmazonKeyManagementServiceException> ThrowsValidation(Func<Task> call, string message) =>
        ThrowsCode("ValidationException", call, message);

    public static async Task<SdkKeyMetadata> NewKeyAsync(this IAmazonKeyManagementService kms, string? description = null) =>
        (await kms.CreateKeyAsync(new CreateKeyRequest { Description = description })).KeyMetadata;

    public static async Task<byte[]> EncryptAsync(this IAmazonKeyManagementService kms, string keyId, byte[] plaintext,
        Dictionary<string, string>? context = null) =>
        (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = context }))
            .CiphertextBlob.ToArray();

    public static async Task<byte[]> DecryptAsync(this IAmazonKeyManagementService kms, byte[] ciphertext,
        string? keyId = null, Dictionary<string, string>? context = null) =>
        (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext), KeyId = keyId, EncryptionContext = context }))
            .Plaintext.ToArray();

    public static async Task<SdkKeyMetadata> DescribeAsync(this IAmazonKeyManagementService kms, string keyId) =>
        (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

    /// <summary>Every key id ListKeys returns, paging with <paramref name="limit"/> until Truncated is false.</summary>
    public static async Task<List<string>> ListAllKeyIdsAsync(this IAmazonKeyManagementService kms, int limit = 1000)
    {
        var ids = new List<string>();
        string? marker = null;
        do
        {
            var page = await kms.ListKeysAsync(new ListKeysRequest { Limit = limit, Marker = marker });
            ids.AddRange((page.Keys ?? []).Select(k => k.KeyId));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);
        return ids;
    }
}
