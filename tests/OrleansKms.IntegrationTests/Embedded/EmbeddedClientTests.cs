using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansKms.IntegrationTests.Embedded;

/// <summary>
/// The AWS SDK's own <see cref="IAmazonKeyManagementService"/> served in-process to an Orleans application that called
/// AddKms(): the calls are signed, verified, authorized, observed and mapped to the SDK's exceptions as over HTTP.
/// </summary>
public sealed class EmbeddedClientTests(EmbeddedKmsFixture fixture) : IClassFixture<EmbeddedKmsFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_encrypt_and_decrypt_round_trip_in_the_silo_s_Region_without_any_HTTP_server()
    {
        var key = (await fixture.Kms.CreateKeyAsync(new CreateKeyRequest { Description = "embedded" }, Cancel)).KeyMetadata;
        var context = new Dictionary<string, string> { ["tenant"] = "t-1" };
        var sealedBlob = await fixture.Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId,
            Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("hello")),
            EncryptionContext = context,
        }, Cancel);
        var opened = await fixture.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = sealedBlob.CiphertextBlob, EncryptionContext = context }, Cancel);

        Assert.Equal($"arn:aws:kms:eu-west-1:{EmbeddedKmsFixture.Account}:key/{key.KeyId}", key.Arn);
        Assert.Equal("hello", Encoding.UTF8.GetString(opened.Plaintext.ToArray()));
        Assert.Equal(key.Arn, opened.KeyId);
        Assert.Null(fixture.Host.Services.GetService<IServer>());
    }

    [Fact]
    public async Task An_unknown_key_is_the_SDK_s_NotFoundException_with_AWS_s_message()
    {
        var id = "1234abcd-12ab-34cd-56ef-1234567890ab";

        var e = await Assert.ThrowsAsync<NotFoundException>(() => fixture.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = id }, Cancel));

        Assert.Equal($"Key 'arn:aws:kms:eu-west-1:{EmbeddedKmsFixture.Account}:key/{id}' does not exist", e.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
    }

    [Fact]
    public async Task An_identity_the_key_policy_denies_gets_AccessDeniedException_as_the_SDK_reports_it_over_HTTP()
    {
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{EmbeddedKmsFixture.Account}}:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"not-app","Effect":"Deny","Principal":{"AWS":"{{EmbeddedKmsFixture.App}}"},"Action":"kms:Encrypt","Resource":"*"}]}
            """;
        var key = (await fixture.Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy }, Cancel)).KeyMetadata;
        using var app = fixture.Clients.Create(new BasicAWSCredentials(EmbeddedKmsFixture.AppAccessKey, EmbeddedKmsFixture.AppSecret));

        var described = await app.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn }, Cancel);
        // The KMS model has no AccessDeniedException shape: the SDK reports it as its service exception with that code.
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            app.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = new MemoryStream([1, 2, 3]) }, Cancel));

        Assert.Equal(key.Arn, described.KeyMetadata.Arn);
        Assert.Equal("AccessDeniedException", e.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal($"User: {EmbeddedKmsFixture.App} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in a resource-based policy", e.Message);
    }

    [Fact]
    public async Task A_wrong_secret_fails_SigV4_verification_as_over_HTTP()
    {
        using var forged = fixture.Clients.Create(new BasicAWSCredentials(EmbeddedKmsFixture.AppAccessKey, "not-the-secret"),
            configure: c => c.MaxErrorRetry = 0);

        var e = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => forged.ListKeysAsync(new ListKeysRequest(), Cancel));

        Assert.Equal("InvalidSignatureException", e.ErrorCode);
    }

    [Fact]
    public async Task The_request_observers_see_each_embedded_call_with_its_identity_and_outcome()
    {
        using var app = fixture.Clients.Create(new BasicAWSCredentials(EmbeddedKmsFixture.AppAccessKey, EmbeddedKmsFixture.AppSecret));
        var description = "observed-" + Guid.NewGuid().ToString("N");
        var key = (await app.CreateKeyAsync(new CreateKeyRequest { Description = description }, Cancel)).KeyMetadata;
        await Assert.ThrowsAsync<NotFoundException>(() => app.DisableKeyAsync(new DisableKeyRequest { KeyId = "alias/none-" + description }, Cancel));

        var created = Assert.Single(fixture.Observed, r => r.Operation == "CreateKey" && Encoding.UTF8.GetString(r.RequestBody.Span).Contains(description));
        var failed = Assert.Single(fixture.Observed, r => r.Operation == "DisableKey" && Encoding.UTF8.GetString(r.RequestBody.Span).Contains(description));

        Assert.Equal(EmbeddedKmsFixture.App, created.Identity!.PrincipalArn);
        Assert.Equal("eu-west-1", created.Region);
        Assert.True(created.Succeeded);
        Assert.Contains(key.KeyId, Encoding.UTF8.GetString(created.ResponseBody!));
        Assert.EndsWith(" OrleansKms-embedded", created.UserAgent);
        Assert.Equal("NotFoundException", failed.ErrorCode);
        Assert.Equal(EmbeddedKmsFixture.App, failed.Identity!.PrincipalArn);
    }

    [Fact]
    public async Task The_audit_trail_records_an_embedded_call_as_a_CloudTrail_event_of_its_caller()
    {
        using var app = fixture.Clients.Create(new BasicAWSCredentials(EmbeddedKmsFixture.AppAccessKey, EmbeddedKmsFixture.AppSecret));
        var key = (await fixture.Kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata;
        await app.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("audited secret")) }, Cancel);
        var writer = fixture.Host.Services.GetRequiredService<OrleansKms.Gateway.Audit.AuditWriter>();
        await writer.FlushAsync(Cancel);

        var entries = await writer.Store.LookupAsync(new OrleansKms.Gateway.Audit.AuditQuery("eu-west-1", EmbeddedKmsFixture.Account,
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5))
        { Key = key.Arn, EventName = "Encrypt" }, Cancel);

        var entry = Assert.Single(entries);
        Assert.Equal(EmbeddedKmsFixture.App, entry.PrincipalArn);
        using var trail = System.Text.Json.JsonDocument.Parse(entry.Json);
        var record = trail.RootElement;
        Assert.Equal("kms.amazonaws.com", record.GetProperty("eventSource").GetString());
        Assert.Equal("IAMUser", record.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.EndsWith(" OrleansKms-embedded", record.GetProperty("userAgent").GetString());
        Assert.Equal(key.Arn, record.GetProperty("requestParameters").GetProperty("keyId").GetString());
        Assert.DoesNotContain("audited secret", entry.Json);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("audited secret")), entry.Json);
    }

    [Fact]
    public async Task A_client_for_a_Region_the_silo_does_not_serve_is_refused_as_the_gateway_refuses_it()
    {
        using var elsewhere = fixture.Clients.Create(new BasicAWSCredentials("test", "test"), "ap-south-1", c => c.MaxErrorRetry = 0);

        var e = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => elsewhere.ListKeysAsync(new ListKeysRequest(), Cancel));

        Assert.Equal("InvalidSignatureException", e.ErrorCode);
        Assert.StartsWith("Credential should be scoped to a valid region, not 'ap-south-1'.", e.Message);
    }
}
