using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// GetParametersForImport as the AWS SDK for .NET sees it. Keys of origin EXTERNAL are not created yet, so every key
/// answers as AWS answers a key of origin AWS_KMS (recorded: test_get_parameters_for_import_raises_for_non_external_kms_keys).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ImportSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private Task<GetParametersForImportResponse> ParametersAsync(string keyId) =>
        _kms.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256,
            WrappingKeySpec = WrappingKeySpec.RSA_2048,
        });

    [Fact]
    public async Task GetParametersForImport_on_a_key_of_origin_AWS_KMS_is_UnsupportedOperationException_in_AWSs_words()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.Throws<UnsupportedOperationException>(() => ParametersAsync(key.KeyId),
            $"{key.Arn} origin is AWS_KMS which is not valid for this operation.");
    }

    [Fact]
    public async Task GetParametersForImport_on_a_key_that_does_not_exist_is_NotFoundException()
    {
        var arn = Sdk.ArnOf(Guid.NewGuid().ToString());

        await Sdk.Throws<NotFoundException>(() => ParametersAsync(arn), $"Key '{arn}' does not exist");
    }

    [Fact]
    public async Task GetParametersForImport_on_a_key_pending_deletion_is_KMSInvalidStateException()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        await Sdk.Throws<KMSInvalidStateException>(() => ParametersAsync(key.KeyId), $"{key.Arn} is pending deletion.");
    }
}
