using System.Text;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using OrleansKms.Cli.Audit;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Audit;

/// <summary>Two accounts: A's root, bob (A, no identity policy: denied), B's root.</summary>
public sealed class AuditServerFixture : KmsServerFixture
{
    public const string A = "333333333333";
    public const string B = "444444444444";
    public const string RootA = $"arn:aws:iam::{A}:root";
    public const string Bob = $"arn:aws:iam::{A}:user/bob";

    protected override void Configure(KmsServerOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kms-audit-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""
            { "identities": [
                { "accessKeyId": "AUDITROOTA", "secretAccessKey": "s", "accountId": "{{A}}" },
                { "accessKeyId": "AUDITBOB", "secretAccessKey": "s", "accountId": "{{A}}", "principalArn": "{{Bob}}" },
                { "accessKeyId": "AUDITROOTB", "secretAccessKey": "s", "accountId": "{{B}}" } ] }
            """);
        options.IdentitiesFile = file;
    }

    public AmazonKeyManagementServiceClient As(string accessKey, string secret = "s") => Client(accessKey, secret);
}

[CollectionDefinition(Name)]
public sealed class AuditCollection : ICollectionFixture<AuditServerFixture>
{
    public const string Name = "audit-server";
}

/// <summary>The records of a sequence of SDK calls (success, denial, bad signature), looked up with <c>kms audit</c> and compared field by field.</summary>
[Collection(AuditCollection.Name)]
public sealed class AuditSdkTests(AuditServerFixture fixture)
{
    private const string A = AuditServerFixture.A;
    private const string Secret = "audit-plaintext-7c1e9b";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    internal sealed record AuditRun(int Code, string Output, string Error);

    internal static async Task<AuditRun> RunAsync(Uri endpoint, string accessKey, string secret, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AuditCommand.RunAsync(
            [.. args, "--endpoint-url", endpoint.ToString(), "--region", "us-east-1", "--access-key", accessKey, "--secret-key", secret],
            output, error, TimeProvider.System, Cancel);
        return new AuditRun(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Looks up until <paramref name="count"/> records are there: a request is recorded just after its answer is sent,
    /// so the caller can be a moment ahead of the record.
    /// </summary>
    internal static async Task<(JsonArray Records, string Raw)> LookupAsync(Uri endpoint, string accessKey, string secret, int count, params string[] args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var run = await RunAsync(endpoint, accessKey, secret, [.. args, "--output", "json"]);
            Assert.True(run.Code == 0, run.Error);
            var records = (JsonArray)JsonNode.Parse(run.Output)!["Records"]!;
            if (records.Count >= count || DateTime.UtcNow > deadline) return (records, run.Output);
            await Task.Delay(50, Cancel);
        }
    }

    private static async Task DeniedAsync(Func<Task> call) =>
        Assert.Equal("AccessDeniedException", (await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(call)).ErrorCode);

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string? S(JsonNode? node) => node?.GetValue<string>();

    [Fact]
    public async Task Success_denial_and_bad_signature_are_recorded_as_CloudTrail_events()
    {
        var root = fixture.As("AUDITROOTA");
        var key = (await root.CreateKeyAsync(new CreateKeyRequest { Description = "audited key" }, Cancel)).KeyMetadata;
        var encrypted = await root.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId,
            Plaintext = Bytes(Secret),
            EncryptionContext = new Dictionary<string, string> { ["purpose"] = "audit-test" },
        }, Cancel);
        var ciphertext = Convert.ToBase64String(encrypted.CiphertextBlob.ToArray());
        await DeniedAsync(() => fixture.As("AUDITBOB").EncryptAsync(
            new EncryptRequest { KeyId = key.Arn, Plaintext = Bytes(Secret) }, Cancel));
        var badSignature = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => fixture.As("AUDITROOTA", "wrong-secret").EncryptAsync(
            new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes(Secret) }, Cancel));
        Assert.Equal("InvalidSignatureException", badSignature.ErrorCode);

        var (records, raw) = await LookupAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", 4, "--key", key.KeyId);

        Assert.Equal(["InvalidSignatureException", "AccessDeniedException", null, null], records.Select(r => S(r!["errorCode"])));
        Assert.Equal(["Encrypt", "Encrypt", "Encrypt", "CreateKey"], records.Select(r => S(r!["eventName"])));
        foreach (var record in records)
        {
            Assert.Equal("1.08", S(record!["eventVersion"]));
            Assert.Equal("kms.amazonaws.com", S(record["eventSource"]));
            Assert.Equal("us-east-1", S(record["awsRegion"]));
            Assert.Equal("AwsApiCall", S(record["eventType"]));
            Assert.Equal("Management", S(record["eventCategory"]));
            Assert.True(record["managementEvent"]!.GetValue<bool>());
            Assert.Equal(A, S(record["recipientAccountId"]));
            Assert.True(Guid.TryParse(S(record["eventID"]), out _));
            Assert.True(Guid.TryParse(S(record["requestID"]), out _));
            Assert.Equal("127.0.0.1", S(record["sourceIPAddress"]));
            Assert.Contains("aws-sdk-dotnet", S(record["userAgent"]), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(key.Arn, S(record["resources"]![0]!["ARN"]));
            Assert.Equal("AWS::KMS::Key", S(record["resources"]![0]!["type"]));
        }

        var (wrong, denied, encrypt, create) = (records[0]!, records[1]!, records[2]!, records[3]!);

        Assert.Equal("Root", S(create["userIdentity"]!["type"]));
        Assert.Equal(AuditServerFixture.RootA, S(create["userIdentity"]!["arn"]));
        Assert.Equal(A, S(create["userIdentity"]!["accountId"]));
        Assert.Equal(A, S(create["userIdentity"]!["principalId"]));
        Assert.Equal("AUDITROOTA", S(create["userIdentity"]!["accessKeyId"]));
        Assert.Equal("audited key", S(create["requestParameters"]!["description"]));
        Assert.Equal(key.KeyId, S(create["responseElements"]!["keyMetadata"]!["keyId"]));
        Assert.Equal(key.Arn, S(create["responseElements"]!["keyMetadata"]!["arn"]));
        Assert.False(create["readOnly"]!.GetValue<bool>());

        Assert.Equal("Root", S(encrypt["userIdentity"]!["type"]));
        Assert.Equal(key.KeyId, S(encrypt["requestParameters"]!["keyId"]));
        Assert.Equal("audit-test", S(encrypt["requestParameters"]!["encryptionContext"]!["purpose"]));
        Assert.Null(encrypt["responseElements"]);
        Assert.True(encrypt["readOnly"]!.GetValue<bool>());

        Assert.Equal("IAMUser", S(denied["userIdentity"]!["type"]));
        Assert.Equal(AuditServerFixture.Bob, S(denied["userIdentity"]!["arn"]));
        Assert.Equal("bob", S(denied["userIdentity"]!["userName"]));
        Assert.Equal("AUDITBOB", S(denied["userIdentity"]!["accessKeyId"]));
        Assert.Equal(A, S(denied["userIdentity"]!["accountId"]));
        Assert.StartsWith("AIDA", S(denied["userIdentity"]!["principalId"]));
        Assert.Equal(key.Arn, S(denied["requestParameters"]!["keyId"]));
        Assert.False(string.IsNullOrEmpty(S(denied["errorMessage"])));

        Assert.Equal("Unknown", S(wrong["userIdentity"]!["type"]));
        Assert.Null(wrong["userIdentity"]!["arn"]);
        Assert.Equal(A, S(wrong["userIdentity"]!["accountId"]));
        Assert.Equal("AUDITROOTA", S(wrong["userIdentity"]!["accessKeyId"]));

        // Nothing secret anywhere in the stored JSON: neither the plaintext (as text or base64) nor the ciphertext.
        Assert.DoesNotContain(Secret, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)), raw, StringComparison.Ordinal);
        Assert.DoesNotContain(ciphertext, raw, StringComparison.Ordinal);
        Assert.DoesNotContain("plaintext", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ciphertextBlob", raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Lookups_are_for_account_roots_and_show_their_own_account_only()
    {
        var key = (await fixture.As("AUDITROOTA").CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata;
        var (mine, _) = await LookupAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", 1, "--key", key.KeyId, "--event-name", "CreateKey");
        Assert.Single(mine);

        var (other, _) = await LookupAsync(fixture.Server.Endpoint, "AUDITROOTB", "s", 0, "--key", key.KeyId);
        Assert.Empty(other);

        var bob = await RunAsync(fixture.Server.Endpoint, "AUDITBOB", "s", "--key", key.KeyId);
        Assert.Equal(AuditCommand.Failed, bob.Code);
        Assert.Contains("AccessDeniedException", bob.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_and_the_table_output_select_and_show_records()
    {
        var root = fixture.As("AUDITROOTA");
        var key = (await root.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata;
        await root.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }, Cancel);
        await DeniedAsync(() => fixture.As("AUDITBOB").DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn }, Cancel));

        var (byBob, _) = await LookupAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", 1, "--key", key.KeyId, "--principal", "bob");
        Assert.Equal("DescribeKey", S(Assert.Single(byBob)!["eventName"]));
        var (describes, _) = await LookupAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", 2, "--key", key.Arn, "--event-name", "DescribeKey");
        Assert.Equal(2, describes.Count);
        var (none, _) = await LookupAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", 0, "--key", key.KeyId, "--until", "2020-01-01T00:00:00Z");
        Assert.Empty(none);

        var table = await RunAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", "--key", key.KeyId);
        Assert.Equal(0, table.Code);
        Assert.Contains("EVENT NAME", table.Output, StringComparison.Ordinal);
        Assert.Contains(AuditServerFixture.Bob, table.Output, StringComparison.Ordinal);
        Assert.Contains("AccessDeniedException", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_a_CloudTrail_log_file_oldest_first()
    {
        var root = fixture.As("AUDITROOTA");
        var key = (await root.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata;
        await root.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 }, Cancel);
        await LookupAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", 2, "--key", key.KeyId);
        var file = Path.Combine(Path.GetTempPath(), $"kms-audit-export-{Guid.NewGuid():N}.json");
        var now = DateTimeOffset.UtcNow;
        var run = await RunAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", "export",
            "--since", now.AddHours(-1).ToString("O"), "--until", now.AddHours(1).ToString("O"), "--out", file);
        Assert.True(run.Code == 0, run.Error);

        var records = JsonNode.Parse(await File.ReadAllTextAsync(file, Cancel))!["Records"]!.AsArray();
        var times = records.Select(r => DateTimeOffset.Parse(S(r!["eventTime"])!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
        var ours = records.Where(r => S(r!["resources"]!.AsArray().FirstOrDefault()?["ARN"]) == key.Arn).ToList();
        Assert.Equal(["CreateKey", "GenerateDataKey"], ours.Select(r => S(r!["eventName"])));
        var dataKey = ours[1]!["requestParameters"]!;
        Assert.Equal("AES_256", S(dataKey["keySpec"]));
        Assert.Null(ours[1]!["responseElements"]);
        File.Delete(file);
    }

    [Fact]
    public async Task Bad_command_lines_exit_with_2()
    {
        Assert.Equal(AuditCommand.BadUsage, (await RunAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", "export", "--since", "2026-01-01T00:00:00Z")).Code);
        Assert.Equal(AuditCommand.BadUsage, (await RunAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", "--since", "yesterday")).Code);
        Assert.Equal(AuditCommand.BadUsage, (await RunAsync(fixture.Server.Endpoint, "AUDITROOTA", "s", "--output", "xml")).Code);
    }
}
