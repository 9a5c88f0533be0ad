using System.Text;
using System.Text.Json.Nodes;
using OrleansKms.IntegrationTests.Compatibility;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// Answers with exactly the members AWS sends (issue 15): whole bodies compared with AWS's recorded answers
/// (<see cref="RecordedAws"/>), members the recording masked compared for presence only. Where AWS omits a member
/// for a kind of key (CurrentKeyMaterialId, the key material ids of Decrypt and ReEncrypt, PendingDeletionWindowInDays),
/// so does this service.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class WireFidelityShapeTests(KmsServerFixture fixture)
{
    private Uri Endpoint => fixture.Server.Endpoint;

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private async Task<JsonNode> OkAsync(string operation, object body) =>
        JsonNode.Parse((await Raw.CallAsync(Endpoint, operation, body)).AssertOk().GetRawText())!;

    private static void AssertSameShape(JsonNode recorded, JsonNode? actual) => RecordedAws.AssertSameShape(recorded, actual, Sdk.Account);

    [Fact]
    public async Task CreateKey_and_DescribeKey_of_an_HMAC_key_have_no_CurrentKeyMaterialId()
    {
        var created = await OkAsync("CreateKey", new { KeySpec = "HMAC_256", KeyUsage = "GENERATE_VERIFY_MAC", Description = "test key" });
        var described = await OkAsync("DescribeKey", new { KeyId = (string)created["KeyMetadata"]!["KeyId"]! });

        AssertSameShape(RecordedAws.Entry("test_hmac_create_key", "create-hmac-key"), created["KeyMetadata"]);
        AssertSameShape(RecordedAws.Entry("test_hmac_create_key", "describe-key"), described["KeyMetadata"]);
    }

    [Fact]
    public async Task DescribeKey_of_a_symmetric_encryption_key_has_its_CurrentKeyMaterialId()
    {
        var created = await OkAsync("CreateKey", new { Description = "test key 123" });
        var described = await OkAsync("DescribeKey", new { KeyId = (string)created["KeyMetadata"]!["KeyId"]! });

        AssertSameShape(RecordedAws.Entry("test_create_key", "describe-key"), described["KeyMetadata"]);
    }

    /// <summary>
    /// A single-Region key pending deletion shows its DeletionDate; PendingDeletionWindowInDays is only for a
    /// multi-Region primary key in PendingReplicaDeletion (API reference, KeyMetadata; an AWS answer of this shape is
    /// quoted in nccgroup/ScoutSuite#1174).
    /// </summary>
    [Fact]
    public async Task DescribeKey_of_a_key_pending_deletion_has_its_DeletionDate_and_no_PendingDeletionWindowInDays()
    {
        var created = await OkAsync("CreateKey", new { Description = "test key 123" });
        var keyId = (string)created["KeyMetadata"]!["KeyId"]!;
        await OkAsync("ScheduleKeyDeletion", new { KeyId = keyId, PendingWindowInDays = 7 });

        var described = await OkAsync("DescribeKey", new { KeyId = keyId });

        var expected = RecordedAws.Entry("test_create_key", "describe-key");
        expected["Enabled"] = false;
        expected["KeyState"] = "PendingDeletion";
        expected["DeletionDate"] = "datetime";
        AssertSameShape(expected, described["KeyMetadata"]);
    }

    [Fact]
    public async Task Decrypt_by_a_symmetric_key_has_its_KeyMaterialId_and_by_an_RSA_key_none()
    {
        var symmetric = (string)(await OkAsync("CreateKey", new { }))["KeyMetadata"]!["KeyId"]!;
        var rsa = (string)(await OkAsync("CreateKey", new { KeySpec = "RSA_2048", KeyUsage = "ENCRYPT_DECRYPT" }))["KeyMetadata"]!["KeyId"]!;
        var context = new Dictionary<string, string> { ["context-key"] = "context-value" };
        var symmetricBlob = (string)(await OkAsync("Encrypt", new { KeyId = symmetric, Plaintext = B64("plaintext"), EncryptionContext = context }))["CiphertextBlob"]!;
        var rsaBlob = (string)(await OkAsync("Encrypt", new { KeyId = rsa, Plaintext = B64("plaintext"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }))["CiphertextBlob"]!;

        var bySymmetric = await OkAsync("Decrypt", new { CiphertextBlob = symmetricBlob, EncryptionContext = context });
        var byRsa = await OkAsync("Decrypt", new { KeyId = rsa, CiphertextBlob = rsaBlob, EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });

        AssertSameShape(RecordedAws.Entry("test_encrypt_decrypt_encryption_context", "decrypt_response_with_encryption_context"), bySymmetric);
        var withoutMaterial = RecordedAws.Entry("test_encrypt_decrypt_encryption_context", "decrypt_response_with_encryption_context");
        withoutMaterial.Remove("KeyMaterialId");
        withoutMaterial["EncryptionAlgorithm"] = "RSAES_OAEP_SHA_256";
        AssertSameShape(withoutMaterial, byRsa);
    }

    [Fact]
    public async Task ReEncrypt_between_RSA_keys_has_no_key_material_ids()
    {
        var rsa = (string)(await OkAsync("CreateKey", new { KeySpec = "RSA_2048", KeyUsage = "ENCRYPT_DECRYPT" }))["KeyMetadata"]!["KeyId"]!;
        var blob = (string)(await OkAsync("Encrypt", new { KeyId = rsa, Plaintext = B64("plaintext"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }))["CiphertextBlob"]!;

        var reEncrypted = await OkAsync("ReEncrypt", new
        {
            CiphertextBlob = blob,
            SourceKeyId = rsa,
            SourceEncryptionAlgorithm = "RSAES_OAEP_SHA_256",
            DestinationKeyId = rsa,
            DestinationEncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        });

        AssertSameShape(RecordedAws.Entry("test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256]", "test_re_encrypt"), reEncrypted);
    }

    /// <summary>Each side's key material id only where that side's key is symmetric (API reference, ReEncryptResponse).</summary>
    [Fact]
    public async Task ReEncrypt_from_an_RSA_key_to_a_symmetric_key_has_only_the_DestinationKeyMaterialId()
    {
        var rsa = (string)(await OkAsync("CreateKey", new { KeySpec = "RSA_2048", KeyUsage = "ENCRYPT_DECRYPT" }))["KeyMetadata"]!["KeyId"]!;
        var symmetric = (await OkAsync("CreateKey", new { }))["KeyMetadata"]!;
        var blob = (string)(await OkAsync("Encrypt", new { KeyId = rsa, Plaintext = B64("plaintext"), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }))["CiphertextBlob"]!;

        var reEncrypted = await OkAsync("ReEncrypt", new
        {
            CiphertextBlob = blob,
            SourceKeyId = rsa,
            SourceEncryptionAlgorithm = "RSAES_OAEP_SHA_256",
            DestinationKeyId = (string)symmetric["KeyId"]!,
        });

        Assert.Equal(
            ["CiphertextBlob", "DestinationEncryptionAlgorithm", "DestinationKeyMaterialId", "KeyId", "SourceEncryptionAlgorithm", "SourceKeyId"],
            reEncrypted.AsObject().Select(m => m.Key).Order());
        Assert.Equal((string)symmetric["CurrentKeyMaterialId"]!, (string)reEncrypted["DestinationKeyMaterialId"]!);
    }
}
