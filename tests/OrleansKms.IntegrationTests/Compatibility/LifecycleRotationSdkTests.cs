using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand and ListKeyRotations through the
/// official AWS SDK for .NET (automatic rotation itself needs time to pass: the grain-level tests drive that).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class LifecycleRotationSdkTests(KmsServerFixture fixture)
{
    private static readonly byte[] Secret = [1, 9, 8, 4];
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task A_new_key_has_rotation_off_and_no_rotations()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId });

        Assert.False(status.KeyRotationEnabled);
        Assert.Equal(key.Arn, status.KeyId);
        Assert.Null(status.RotationPeriodInDays);
        Assert.Null(status.NextRotationDate);
        Assert.Empty(rotations.Rotations ?? []);
        Assert.False(rotations.Truncated ?? false);
    }

    [Fact]
    public async Task EnableKeyRotation_without_a_period_rotates_every_365_days_from_now()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId });
        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn });

        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(key.Arn, status.KeyId);
        Assert.Equal(365, status.RotationPeriodInDays);
        AssertAbout(DateTime.UtcNow.AddDays(365), status.NextRotationDate);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(2560)]
    public async Task EnableKeyRotation_with_a_period_reports_that_period_and_the_next_date(int days)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.Arn, RotationPeriodInDays = days });
        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(days, status.RotationPeriodInDays);
        AssertAbout(DateTime.UtcNow.AddDays(days), status.NextRotationDate);
    }

    [Theory]
    [InlineData(89, "Member must have value greater than or equal to 90")]
    [InlineData(2561, "Member must have value less than or equal to 2560")]
    public async Task A_rotation_period_outside_90_to_2560_is_a_ValidationException_and_leaves_rotation_off(int days, string constraint)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = days }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to satisfy constraint: {constraint}", e.Message);
        Assert.False((await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).KeyRotationEnabled);
    }

    [Fact]
    public async Task DisableKeyRotation_turns_rotation_off_and_clears_the_schedule()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });

        await _kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId });
        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.False(status.KeyRotationEnabled);
        Assert.Null(status.RotationPeriodInDays);
        Assert.Null(status.NextRotationDate);
    }

    [Fact]
    public async Task RotateKeyOnDemand_makes_new_current_material_and_earlier_ciphertext_still_decrypts()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var before = await _kms.EncryptToBlobAsync(key.KeyId, Secret);

        var rotated = await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        var after = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret) });

        Assert.Equal(key.Arn, rotated.KeyId);
        Assert.False(string.IsNullOrEmpty(key.CurrentKeyMaterialId));
        Assert.NotEqual(key.CurrentKeyMaterialId, described.CurrentKeyMaterialId);
        var old = await _kms.DecryptBlobAsync(before);
        Assert.Equal(Secret, old.Plaintext.ToArray());
        Assert.Equal(key.CurrentKeyMaterialId, old.KeyMaterialId);
        var fresh = await _kms.DecryptBlobAsync(after.CiphertextBlob.ToArray());
        Assert.Equal(described.CurrentKeyMaterialId, fresh.KeyMaterialId);
    }

    [Fact]
    public async Task ListKeyRotations_lists_each_on_demand_rotation_with_its_new_material()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var materials = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.Arn });
            materials.Add((await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
        }

        var listed = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId });

        Assert.Equal(materials, listed.Rotations.Select(r => r.KeyMaterialId));
        Assert.Equal([KeyMaterialState.NON_CURRENT, KeyMaterialState.CURRENT], listed.Rotations.Select(r => r.KeyMaterialState));
        Assert.All(listed.Rotations, r =>
        {
            Assert.Equal(key.Arn, r.KeyId);
            Assert.Equal(RotationType.ON_DEMAND, r.RotationType);
            AssertAbout(DateTime.UtcNow, r.RotationDate);
        });
        Assert.False(listed.Truncated ?? false);
    }

    [Fact]
    public async Task ListKeyRotations_with_ALL_KEY_MATERIAL_also_lists_the_first_key_material_without_a_rotation_date()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });

        var listed = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL });

        Assert.Equal(2, listed.Rotations.Count);
        var first = Assert.Single(listed.Rotations, r => r.KeyMaterialId == key.CurrentKeyMaterialId);
        Assert.Equal(KeyMaterialState.NON_CURRENT, first.KeyMaterialState);
        Assert.Null(first.RotationDate);
        Assert.Null(first.RotationType);
    }

    [Fact]
    public async Task On_demand_rotation_leaves_automatic_rotation_off_as_AWS_records()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.False(status.KeyRotationEnabled);
        Assert.Equal(key.Arn, status.KeyId);
    }

    [Fact]
    public async Task On_demand_rotation_keeps_the_automatic_schedule_as_AWS_records()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId });
        var before = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var after = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.True(after.KeyRotationEnabled);
        Assert.Equal(365, after.RotationPeriodInDays);
        Assert.Equal(before.NextRotationDate, after.NextRotationDate);
    }

    [Fact]
    public async Task Limit_and_Marker_page_through_the_rotations_in_order()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        for (var i = 0; i < 5; i++) await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var all = (await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations.Select(r => r.KeyMaterialId).ToList();

        var pages = new List<ListKeyRotationsResponse>();
        string? marker = null;
        do
        {
            var page = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Limit = 2, Marker = marker });
            pages.Add(page);
            marker = page.NextMarker;
        }
        while (marker is not null && pages.Count < 10);

        Assert.Equal(5, all.Distinct().Count());
        Assert.Equal([2, 2, 1], pages.Select(p => p.Rotations.Count));
        Assert.Equal([true, true, false], pages.Select(p => p.Truncated ?? false));
        Assert.Equal(all, pages.SelectMany(p => p.Rotations).Select(r => r.KeyMaterialId));
    }

    [Fact]
    public async Task The_26th_on_demand_rotation_is_the_recorded_LimitExceededException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        for (var i = 0; i < 25; i++) await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });
        var current = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId;

        var e = await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.LimitExceededException>(() =>
            _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }));

        Assert.Equal("The on-demand rotations limit has been reached for the given keyId. " +
            $"No more on-demand rotations can be performed for this key: {key.Arn}", e.Message);
        Assert.Equal(current, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
        Assert.Equal(25, (await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations.Count);
    }

    [Fact]
    public async Task EnableKeyRotation_and_RotateKeyOnDemand_on_a_disabled_key_are_DisabledException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var enable = await Assert.ThrowsAsync<DisabledException>(() =>
            _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }));
        var rotate = await Assert.ThrowsAsync<DisabledException>(() =>
            _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }));

        Assert.Equal($"{key.Arn} is disabled.", enable.Message);
        Assert.Equal($"{key.Arn} is disabled.", rotate.Message);
        Assert.Empty((await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations ?? []);
    }

    [Fact]
    public async Task GetKeyRotationStatus_still_answers_for_a_disabled_key()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 120 });
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(key.Arn, status.KeyId);
        Assert.Equal(120, status.RotationPeriodInDays);
    }

    [Fact]
    public async Task Rotating_a_missing_key_is_the_recorded_NotFoundException()
    {
        var arn = $"arn:aws:kms:{Region}:{Account}:key/{Guid.NewGuid()}";

        var e = await Assert.ThrowsAsync<NotFoundException>(() => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = arn }));

        Assert.Equal($"Key '{arn}' does not exist", e.Message);
    }

    [Fact]
    public async Task A_ListKeyRotations_marker_the_service_did_not_give_is_InvalidMarkerException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });

        await Assert.ThrowsAsync<InvalidMarkerException>(() =>
            _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Marker = "not-a-marker" }));
    }
}
