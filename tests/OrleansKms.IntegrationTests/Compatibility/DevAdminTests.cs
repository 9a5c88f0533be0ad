using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Cli.Admin;
using OrleansKms.Crypto;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>A server with <c>--dev-admin</c>, and a non-root identity beside the development one.</summary>
public sealed class DevAdminServerFixture : KmsServerFixture
{
    public const string UserAccessKey = "AKIADEVADMINUSER";

    protected override void Configure(KmsServerOptions options)
    {
        options.DevAdmin = true;
        var identities = Path.Combine(Path.GetTempPath(), $"kms-identities-{Guid.NewGuid():N}.json");
        File.WriteAllText(identities, $$"""
            { "identities": [
              { "accessKeyId": "test", "secretAccessKey": "test", "accountId": "000000000000" },
              { "accessKeyId": "{{UserAccessKey}}", "secretAccessKey": "user-secret", "accountId": "000000000000",
                "principalArn": "arn:aws:iam::000000000000:user/dev" } ] }
            """);
        options.IdentitiesFile = identities;
    }
}

/// <summary>
/// The development loop a test suite runs: <c>kms reset</c> empties the service, <c>kms seed FILE</c> creates keys
/// with fixed ids and chosen material, checked through the AWS SDK and against the material itself.
/// </summary>
[Collection(DevAdminCollection.Name)]
public sealed class DevAdminTests(DevAdminServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private string Endpoint => fixture.Server.Endpoint.ToString();

    private Task<int> Cli(Func<string[], CancellationToken, Task<int>> command, params string[] args) =>
        command([.. args, "--endpoint", Endpoint, "--access-key", "test", "--secret-key", "test"], TestContext.Current.CancellationToken);

    private async Task<string> SeedFileAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kms-seed-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task Reset_empties_keys_aliases_grants_and_catalogs()
    {
        Assert.Equal(0, await Cli(AdminCommands.ResetAsync));
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        var hmac = (await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyMetadata.KeyId;
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/reset-me", TargetKeyId = key });
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key });
        const string retiring = "arn:aws:iam::000000000000:role/reset-retirer";
        await _kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key, GranteePrincipal = retiring, RetiringPrincipal = retiring, Operations = ["Decrypt"] });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = hmac, PendingWindowInDays = 7 });

        Assert.Equal(0, await Cli(AdminCommands.ResetAsync));

        Assert.Empty((await _kms.ListKeysAsync(new ListKeysRequest())).Keys);
        Assert.Empty((await _kms.ListAliasesAsync(new ListAliasesRequest())).Aliases);
        Assert.Empty((await _kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retiring })).Grants);
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key }));
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = hmac }));
        var again = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/reset-me", TargetKeyId = again });
        Assert.Equal([again], (await _kms.ListKeysAsync(new ListKeysRequest())).Keys.Select(k => k.KeyId));
    }

    [Fact]
    public async Task Seed_creates_keys_with_fixed_ids_and_the_material_given_and_applying_it_again_changes_nothing()
    {
        Assert.Equal(0, await Cli(AdminCommands.ResetAsync));
        var symmetric = RandomNumberGenerator.GetBytes(32);
        var hmacKey = RandomNumberGenerator.GetBytes(40);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        const string symmetricId = "0b6f1a37-5e4a-4f0e-9d52-6a8c3c1e2f10", hmacId = "1c7e2b48-6f5b-4a1f-8e63-7b9d4d2f3a21",
            eccId = "2d8f3c59-7a6c-4b2a-9f74-8cae5e3a4b32", plainId = "3e904d6a-8b7d-4c3b-8a85-9dbf6f4b5c43";
        var seed = await SeedFileAsync($$"""
            keys:
              - id: {{symmetricId}}
                description: orders
                material: {{Convert.ToBase64String(symmetric)}}
                aliases: [alias/orders]
                tags: { team: red }
                rotationPeriodInDays: 180
              - id: {{hmacId}}
                keySpec: HMAC_256
                keyUsage: GENERATE_VERIFY_MAC
                material: {{Convert.ToBase64String(hmacKey)}}
              - id: {{eccId}}
                keySpec: ECC_NIST_P256
                keyUsage: SIGN_VERIFY
                material: |
            {{string.Join('\n', ecdsa.ExportPkcs8PrivateKeyPem().Split('\n').Select(l => "        " + l))}}
              - id: {{plainId}}
                enabled: false
                policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}]}'
            """);

        Assert.Equal(0, await Cli(AdminCommands.SeedAsync, seed));

        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/orders" })).KeyMetadata;
        Assert.Equal((symmetricId, "orders"), (described.KeyId, described.Description));
        Assert.Equal("red", (await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = symmetricId })).Tags.Single(t => t.TagKey == "team").TagValue);
        Assert.Equal(180, (await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = symmetricId })).RotationPeriodInDays);
        // A ciphertext made outside the service with the seeded material decrypts in it.
        var materialId = SHA256.HashData(symmetric);
        var blob = CiphertextBlob.Encrypt(SecretBytes.TakeOwnership([.. symmetric]), symmetricId, materialId, "made outside"u8, null);
        Assert.Equal("made outside"u8.ToArray(), (await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());

        var mac = (await _kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmacId, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream([1, 2, 3]) })).Mac.ToArray();
        Assert.Equal(HMACSHA256.HashData(hmacKey, new byte[] { 1, 2, 3 }), mac);

        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), (await _kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = eccId })).PublicKey.ToArray());
        var signature = (await _kms.SignAsync(new SignRequest { KeyId = eccId, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256, Message = new MemoryStream([9]) })).Signature.ToArray();
        Assert.True(ecdsa.VerifyData(new byte[] { 9 }, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        Assert.Equal(KeyState.Disabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = plainId })).KeyMetadata.KeyState);
        Assert.Contains("\"Action\":\"kms:*\"", (await _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = plainId })).Policy);

        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = plainId });
        Assert.Equal(0, await Cli(AdminCommands.SeedAsync, seed));
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = plainId })).KeyMetadata.KeyState);
        Assert.Equal(4, (await _kms.ListKeysAsync(new ListKeysRequest())).Keys.Count);
    }

    [Fact]
    public async Task A_bad_seed_is_a_validation_error_naming_the_key_and_field_and_creates_nothing()
    {
        Assert.Equal(0, await Cli(AdminCommands.ResetAsync));
        var body = Encoding.UTF8.GetBytes("""
            keys:
              - id: 4fa15e7b-9c8e-4d4c-9b96-aec0a75c6d54
              - id: 50b26f8c-ad9f-4e5d-8ca7-bfd1b86d7e65
                material: AAAA
            """);
        using var http = new HttpClient();
        using var response = await http.SendAsync(SigV4Request.Post(new Uri(fixture.Server.Endpoint, "/_kms/seed"), body, "application/yaml", "us-east-1", "test", "test", DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"__type\":\"ValidationException\"", text);
        Assert.Contains("keys[1] (50b26f8c-ad9f-4e5d-8ca7-bfd1b86d7e65): material: key material of a SYMMETRIC_DEFAULT key is 32 bytes, not 3.", text);
        Assert.Empty((await _kms.ListKeysAsync(new ListKeysRequest())).Keys);
    }

    [Fact]
    public async Task The_admin_surface_answers_only_account_roots_and_signed_requests()
    {
        using var http = new HttpClient();
        var reset = new Uri(fixture.Server.Endpoint, "/_kms/reset");
        using var user = await http.SendAsync(SigV4Request.Post(reset, [], "application/json", "us-east-1", DevAdminServerFixture.UserAccessKey, "user-secret", DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        Assert.Contains("AccessDeniedException", await user.Content.ReadAsStringAsync());

        using var wrongSecret = await http.SendAsync(SigV4Request.Post(reset, [], "application/json", "us-east-1", "test", "nope", DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.BadRequest, wrongSecret.StatusCode);
        Assert.Contains("InvalidSignatureException", await wrongSecret.Content.ReadAsStringAsync());

        using var unsigned = await http.PostAsync(reset, new ByteArrayContent([]));
        Assert.Contains("MissingAuthenticationTokenException", await unsigned.Content.ReadAsStringAsync());

        using var unknown = await http.SendAsync(SigV4Request.Post(new Uri(fixture.Server.Endpoint, "/_kms/shutdown"), [], "application/json", "us-east-1", "test", "test", DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}

[CollectionDefinition(Name)]
public sealed class DevAdminCollection : ICollectionFixture<DevAdminServerFixture>
{
    public const string Name = "kms-dev-admin";
}

/// <summary>Without <c>--dev-admin</c> the admin surface does not exist; <c>--seed</c> at start.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class DevAdminOffTests(KmsServerFixture fixture)
{
    [Fact]
    public async Task Without_the_flag_the_admin_paths_are_404_even_when_signed()
    {
        using var http = new HttpClient();
        foreach (var path in new[] { "/_kms/reset", "/_kms/seed" })
        {
            using var response = await http.SendAsync(SigV4Request.Post(new Uri(fixture.Server.Endpoint, path), [], "application/json", "us-east-1", "test", "test", DateTimeOffset.UtcNow));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(1, await AdminCommands.ResetAsync(["--endpoint", fixture.Server.Endpoint.ToString()], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_seed_file_given_at_start_is_applied_and_a_bad_one_stops_the_start_naming_file_key_and_field()
    {
        var seed = Path.Combine(Path.GetTempPath(), $"kms-seed-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(seed, "keys:\n  - id: 6fc38a9d-be0a-4f6e-9db8-c0e2c97e8f76\n    aliases: [alias/at-start]\n", TestContext.Current.CancellationToken);
        KmsServerOptions Options(string file) => new()
        {
            Port = 0,
            Storage = KmsStorageMode.Memory,
            SiloPort = TestPorts.Free(),
            SiloGatewayPort = TestPorts.Free(),
            SeedFile = file,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        await using (var server = await KmsServer.StartAsync(Options(seed), TestContext.Current.CancellationToken))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            Assert.Equal("6fc38a9d-be0a-4f6e-9db8-c0e2c97e8f76", (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/at-start" })).KeyMetadata.KeyId);
        }

        await File.WriteAllTextAsync(seed, "keys:\n  - id: 6fc38a9d-be0a-4f6e-9db8-c0e2c97e8f76\n    keySpec: RSA_2048\n", TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => KmsServer.StartAsync(Options(seed), TestContext.Current.CancellationToken));
        Assert.Equal($"{seed}: keys[0] (6fc38a9d-be0a-4f6e-9db8-c0e2c97e8f76): keyUsage: required for a RSA_2048 key.", error.Message);
    }
}
