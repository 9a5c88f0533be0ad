using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>What the AWS SDK for .NET reports when its credentials are not accepted.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class AuthenticationSdkTests(KmsServerFixture fixture)
{
    [Fact]
    public async Task A_wrong_secret_key_is_InvalidSignatureException()
    {
        using var kms = fixture.Client("test", "wrong");

        await Sdk.ThrowsCode("InvalidSignatureException", () => kms.ListKeysAsync(new ListKeysRequest()),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    [Fact]
    public async Task An_unknown_access_key_is_UnrecognizedClientException()
    {
        using var kms = fixture.Client("AKIAUNKNOWN", "test");

        await Sdk.ThrowsCode("UnrecognizedClientException", () => kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 8 }),
            "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task A_client_signing_for_a_region_that_is_not_an_AWS_Region_is_InvalidSignatureException()
    {
        using var kms = SdkClients.Create(fixture.Server.Endpoint, "mars-east-1", "test", "test");

        await Sdk.ThrowsCode("InvalidSignatureException", () => kms.ListKeysAsync(new ListKeysRequest()),
            "Credential should be scoped to a valid region, not 'mars-east-1'. ");
    }

    [Fact]
    public async Task A_rejected_caller_changes_nothing_and_the_right_credentials_still_work()
    {
        using var wrong = fixture.Client("test", "wrong");
        using var right = fixture.Client();
        var key = await right.NewKeyAsync("untouched");

        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => wrong.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }));

        var described = await right.DescribeAsync(key.KeyId);
        Assert.Equal(KeyState.Enabled, described.KeyState);
        Assert.Equal(HttpStatusCode.OK, (await right.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1 })).HttpStatusCode);
    }
}
