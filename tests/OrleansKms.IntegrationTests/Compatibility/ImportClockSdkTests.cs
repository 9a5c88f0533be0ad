using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>A server whose KMS clock is a fake one the import tests move (SigV4 dates stay on the wall clock).</summary>
public sealed class ImportClockFixture : KmsServerFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(KmsServerOptions options) =>
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Clock);

    /// <summary>What the key's lifecycle reminder does when it fires.</summary>
    public Task RunKeysTimerAsync(string keyArn) =>
        Server.Services.GetRequiredService<IGrainFactory>().GetGrain<IKeyGrain>(keyArn).RunDueWorkAsync();
}

[CollectionDefinition(Name)]
public sealed class ImportClockCollection : ICollectionFixture<ImportClockFixture>
{
    public const string Name = "kms-import-clock";
}

/// <summary>Import tokens that expire after 24 hours and material that expires at its ValidTo, on the KMS clock.</summary>
[Collection(ImportClockCollection.Name)]
public sealed class ImportClockSdkTests(ImportClockFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task An_import_token_24_hours_old_is_ExpiredImportTokenException_and_a_new_one_works()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var old = await _kms.ParametersAsync(key.KeyId);
        fixture.Clock.Advance(TimeSpan.FromHours(24));

        await Sdk.Throws<ExpiredImportTokenException>(() => _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId,
            ImportToken = new MemoryStream(old.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(ImportSdk.Wrap("RSAES_OAEP_SHA_256", old.PublicKey.ToArray(), material)),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        }));
        await _kms.ImportAsync(key.KeyId, material);
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeAsync(key.KeyId)).KeyState);
    }

    [Fact]
    public async Task Material_expires_at_its_ValidTo_through_the_keys_timer_and_the_same_material_comes_back()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var validTo = DateTimeOffset.FromUnixTimeSeconds(fixture.Clock.GetUtcNow().AddDays(2).ToUnixTimeSeconds());
        await _kms.ImportAsync(key.KeyId, material, validTo: validTo.UtcDateTime);
        var blob = await _kms.EncryptAsync(key.KeyId, [42]);
        var described = await _kms.DescribeAsync(key.KeyId);

        fixture.Clock.Advance(validTo - fixture.Clock.GetUtcNow() - TimeSpan.FromMinutes(1));
        await fixture.RunKeysTimerAsync(key.Arn);
        var beforeValidTo = await _kms.DescribeAsync(key.KeyId);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.RunKeysTimerAsync(key.Arn);
        var afterValidTo = await _kms.DescribeAsync(key.KeyId);
        await Sdk.Throws<KMSInvalidStateException>(() => _kms.DecryptAsync(blob), $"{key.Arn} is pending import.");
        await _kms.ImportAsync(key.KeyId, material);

        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, described.ExpirationModel);
        Assert.Equal(validTo.ToUnixTimeSeconds(), new DateTimeOffset(described.ValidTo!.Value.ToUniversalTime()).ToUnixTimeSeconds());
        Assert.Equal(KeyState.Enabled, beforeValidTo.KeyState);
        Assert.Equal(KeyState.PendingImport, afterValidTo.KeyState);
        Assert.Null(afterValidTo.ValidTo);
        Assert.Equal(new byte[] { 42 }, await _kms.DecryptAsync(blob));
    }

    [Fact]
    public async Task ValidTo_in_the_past_or_more_than_365_days_ahead_is_ValidationException()
    {
        var key = await _kms.NewExternalKeyAsync();
        var now = fixture.Clock.GetUtcNow();

        await Sdk.ThrowsCode("ValidationException", () => _kms.ImportAsync(key.KeyId, new byte[32], validTo: now.AddMinutes(-1).UtcDateTime));
        await Sdk.ThrowsCode("ValidationException", () => _kms.ImportAsync(key.KeyId, new byte[32], validTo: now.AddDays(366).UtcDateTime));
    }

    [Fact]
    public async Task Each_material_expires_on_its_own_date_and_the_key_waits_for_its_current_material_only()
    {
        var key = await _kms.NewExternalKeyAsync();
        var second = RandomNumberGenerator.GetBytes(32);
        var firstId = (await _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), importType: null)).KeyMaterialId;
        var secondId = (await _kms.ImportAsAsync(key.KeyId, second, "NEW_KEY_MATERIAL",
            validTo: fixture.Clock.GetUtcNow().AddDays(1).UtcDateTime)).KeyMaterialId;
        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var underSecond = await _kms.EncryptAsync(key.KeyId, [2]);

        fixture.Clock.Advance(TimeSpan.FromDays(2));
        await fixture.RunKeysTimerAsync(key.Arn);

        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeAsync(key.KeyId)).KeyState);
        var listed = (await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL })).Rotations;
        Assert.Equal([(firstId, "IMPORTED", "NON_CURRENT"), (secondId, "PENDING_IMPORT", "CURRENT")],
            listed.Select(r => (r.KeyMaterialId, r.ImportState.Value, r.KeyMaterialState.Value)));
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, listed[1].ExpirationModel);

        await _kms.ImportAsAsync(key.KeyId, second, "EXISTING_KEY_MATERIAL", keyMaterialId: secondId);

        Assert.Equal(KeyState.Enabled, (await _kms.DescribeAsync(key.KeyId)).KeyState);
        Assert.Equal([2], await _kms.DecryptAsync(underSecond));
    }
}
