using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Compatibility;

namespace OrleansKms.IntegrationTests.Audit;

/// <summary>Its own server with a fake KMS clock (the import tests' fixture), so moving the clock here disturbs no one.</summary>
[CollectionDefinition(Name)]
public sealed class ServiceEventCollection : ICollectionFixture<ImportClockFixture>
{
    public const string Name = "audit-service-events";
}

/// <summary>What the service does on its own is on the record, as CloudTrail's AwsServiceEvent: rotation, deletion, expiry.</summary>
[Collection(ServiceEventCollection.Name)]
public sealed class AuditServiceEventTests(ImportClockFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private static string? S(JsonNode? node) => node?.GetValue<string>();

    /// <summary>The key's records, newest first, over a range that covers the fake clock's future.</summary>
    private async Task<JsonArray> RecordsAsync(string keyId, int count, string? eventName = null)
    {
        string[] range = ["--key", keyId, "--since", DateTimeOffset.UtcNow.AddHours(-1).ToString("O"), "--until", DateTimeOffset.UtcNow.AddYears(3).ToString("O")];
        var (records, _) = await AuditSdkTests.LookupAsync(fixture.Server.Endpoint, "test", "test", count,
            eventName is null ? range : [.. range, "--event-name", eventName]);
        return records;
    }

    private static void AssertServiceEvent(JsonNode record, string name, Amazon.KeyManagementService.Model.KeyMetadata key)
    {
        Assert.Equal(name, S(record["eventName"]));
        Assert.Equal("AwsServiceEvent", S(record["eventType"]));
        Assert.Equal("AWS Internal", S(record["userIdentity"]!["invokedBy"]));
        Assert.Equal(key.AWSAccountId, S(record["userIdentity"]!["accountId"]));
        Assert.Null(record["userIdentity"]!["type"]);
        Assert.Equal("AWS Internal", S(record["sourceIPAddress"]));
        Assert.Equal("AWS Internal", S(record["userAgent"]));
        Assert.Null(record["requestParameters"]);
        Assert.Null(record["responseElements"]);
        Assert.Null(record["requestID"]);
        Assert.False(record["readOnly"]!.GetValue<bool>());
        Assert.True(record["managementEvent"]!.GetValue<bool>());
        Assert.Equal(key.Arn, S(record["resources"]![0]!["ARN"]));
        Assert.Equal(key.AWSAccountId, S(record["recipientAccountId"]));
        Assert.Equal("us-east-1", S(record["awsRegion"]));
    }

    [Fact]
    public async Task Automatic_and_on_demand_rotations_are_RotateKey_service_events_with_both_material_ids()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata;
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 }, TestContext.Current.CancellationToken);
        fixture.Clock.Advance(TimeSpan.FromDays(91));
        await fixture.RunKeysTimerAsync(key.Arn);
        await _kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId }, TestContext.Current.CancellationToken);
        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }, TestContext.Current.CancellationToken);
        var rotations = (await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL },
            TestContext.Current.CancellationToken)).Rotations;

        var records = await RecordsAsync(key.KeyId, 2, "RotateKey");

        Assert.Equal(2, records.Count);
        var (onDemand, automatic) = (records[0]!, records[1]!);
        AssertServiceEvent(automatic, "RotateKey", key);
        Assert.Equal("AUTOMATIC", S(automatic["serviceEventDetails"]!["rotationType"]));
        Assert.Equal("AWS_KMS", S(automatic["serviceEventDetails"]!["keyOrigin"]));
        Assert.Equal(rotations[0].KeyMaterialId, S(automatic["serviceEventDetails"]!["previousKeyMaterialId"]));
        Assert.Equal(rotations[1].KeyMaterialId, S(automatic["serviceEventDetails"]!["currentKeyMaterialId"]));
        Assert.Equal("ON_DEMAND", S(onDemand["serviceEventDetails"]!["rotationType"]));
        Assert.Equal(rotations[1].KeyMaterialId, S(onDemand["serviceEventDetails"]!["previousKeyMaterialId"]));
        Assert.Equal(rotations[2].KeyMaterialId, S(onDemand["serviceEventDetails"]!["currentKeyMaterialId"]));
        Assert.Equal(fixture.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), S(onDemand["eventTime"]));
        // The caller's own RotateKeyOnDemand call is recorded too, as an API call.
        Assert.Single(await RecordsAsync(key.KeyId, 1, "RotateKeyOnDemand"));
    }

    [Fact]
    public async Task The_end_of_a_deletion_waiting_period_is_a_DeleteKey_service_event()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest(), TestContext.Current.CancellationToken)).KeyMetadata;
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 }, TestContext.Current.CancellationToken);
        fixture.Clock.Advance(TimeSpan.FromDays(6));
        await fixture.RunKeysTimerAsync(key.Arn);
        var early = await RecordsAsync(key.KeyId, 2);
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await fixture.RunKeysTimerAsync(key.Arn);

        var records = await RecordsAsync(key.KeyId, 3);

        Assert.Equal(["ScheduleKeyDeletion", "CreateKey"], early.Select(r => S(r!["eventName"])));
        Assert.Equal(["DeleteKey", "ScheduleKeyDeletion", "CreateKey"], records.Select(r => S(r!["eventName"])));
        AssertServiceEvent(records[0]!, "DeleteKey", key);
        Assert.Null(records[0]!["serviceEventDetails"]);
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Imported_material_reaching_its_ValidTo_is_a_DeleteExpiredKeyMaterial_service_event()
    {
        var key = await _kms.NewExternalKeyAsync();
        var validTo = DateTimeOffset.FromUnixTimeSeconds(fixture.Clock.GetUtcNow().AddDays(2).ToUnixTimeSeconds());
        var imported = await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), validTo: validTo.UtcDateTime);
        fixture.Clock.Advance(validTo - fixture.Clock.GetUtcNow());
        await fixture.RunKeysTimerAsync(key.Arn);

        var records = await RecordsAsync(key.KeyId, 1, "DeleteExpiredKeyMaterial");

        var record = Assert.Single(records)!;
        AssertServiceEvent(record, "DeleteExpiredKeyMaterial", key);
        Assert.Equal(key.KeyId, S(record["serviceEventDetails"]!["keyId"]));
        Assert.Equal(imported.KeyMaterialId, S(record["serviceEventDetails"]!["keyMaterialId"]));
    }
}
