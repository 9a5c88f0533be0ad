using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Audit;
using OrleansKms.Gateway.Auth;
using OperationTable = OrleansKms.Gateway.Operations.OperationTable;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Audit;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Audit;

/// <summary>Audit records in the Region's Azure tables: nothing buffered is lost by a clean stop.</summary>
public sealed class AuditDurabilityTests(SharedAzurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_clean_restart_keeps_every_record_written_before_the_stop()
    {
        var (serviceId, rootKey) = azurite.NewService("audit");
        var table = "kmsaudit" + Guid.NewGuid().ToString("N")[..16];
        KmsServerOptions Options()
        {
            var options = azurite.Options(serviceId, rootKey);
            // No timed flush: only the stop can have written these records.
            options.ConfigureServices = s => s.Configure<KmsAuditOptions>(o =>
            {
                o.TableName = table;
                o.FlushInterval = TimeSpan.FromHours(1);
            });
            return options;
        }

        string keyId;
        const int encrypts = 30;
        await using (var server = await KmsServer.StartAsync(Options(), Cancel))
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            keyId = (await kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.KeyId;
            for (var i = 0; i < encrypts; i++)
                await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes($"secret {i}")) }, Cancel);
        }

        // Straight from storage, before any server runs again: CloudTrail log files in the kmsaudit container.
        var container = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(table);
        var entries = new List<AuditEntry>();
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: Cancel))
        {
            names.Add(blob.Name);
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync(Cancel)).Value.Content.ToArray();
            using var json = new MemoryStream();
            using (var gunzip = new System.IO.Compression.GZipStream(new MemoryStream(content), System.IO.Compression.CompressionMode.Decompress)) gunzip.CopyTo(json);
            entries.AddRange(AzureBlobAuditStore.Entries(json.ToArray(), "us-east-1", "000000000000", 0).Where(e => e.Concerns(keyId)));
        }

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Matches(@"^AWSLogs/000000000000/CloudTrail/us-east-1/\d{4}/\d{2}/\d{2}/\d{2}/000000000000_CloudTrail_us-east-1_\d{8}T\d{13}Z_\d{19}_[0-9a-f]{12}\.json\.gz$", n));
        Assert.Equal(encrypts + 1, entries.Count);
        Assert.Equal("CreateKey", entries[0].EventName);

        await using (var again = await KmsServer.StartAsync(Options(), Cancel))
        {
            var (records, raw) = await AuditSdkTests.LookupAsync(again.Endpoint, "test", "test", encrypts + 1, "--key", keyId, "--max", "100");
            Assert.Equal(encrypts + 1, records.Count);
            Assert.Equal("CreateKey", records[^1]!["eventName"]!.GetValue<string>());
            Assert.All(records.Take(encrypts), r => Assert.Equal("Encrypt", r!["eventName"]!.GetValue<string>()));
            Assert.DoesNotContain("secret ", raw, StringComparison.Ordinal);
        }
    }
}

/// <summary>The audit stores: CloudTrail log files in blobs (with rows of the earlier table format still found), and the bounded memory store.</summary>
public sealed class AuditStoreTests(SharedAzurite azurite)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static AuditEntry Entry(DateTimeOffset time, long sequence, string name)
    {
        var id = Guid.NewGuid().ToString("D");
        var arn = "arn:aws:kms:us-east-1:111122223333:key/" + (sequence % 3);
        var at = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return new("us-east-1", "111122223333", time, sequence, id, name, "arn:aws:iam::111122223333:root", "AKIA1", [arn],
            $$$"""{"eventVersion":"1.08","eventTime":"{{{at}}}","eventID":"{{{id}}}","resources":[{"ARN":"{{{arn}}}"}],"userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIA1"},"eventSource":"kms.amazonaws.com","eventName":"{{{name}}}","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"aws-sdk-dotnet/4.0","requestParameters":{"keyId":"{{{sequence % 3}}}","encryptionContext":{"app":"audit-test"}},"responseElements":null,"n":{{{sequence}}},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}""");
    }

    [Fact]
    public async Task The_blob_store_writes_CloudTrail_log_files_a_retry_adds_no_duplicates_and_older_table_rows_are_still_found()
    {
        var name = "kmsaudit" + Guid.NewGuid().ToString("N")[..16];
        var options = Microsoft.Extensions.Options.Options.Create(new KmsAuditOptions { TableName = name });
        var archive = new AzureTableAuditArchive(new TableServiceClient(azurite.ConnectionString), options);
        var store = new AzureBlobAuditStore(new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString), options, legacy: archive);
        var start = new DateTimeOffset(2026, 12, 1, 9, 59, 0, TimeSpan.Zero);
        static AuditEntry At(AuditEntry e, DateTimeOffset time) => e with { EventTime = time };
        // Whole seconds: a CloudTrail eventTime has no fraction.
        var entries = Enumerable.Range(0, 1300).Select(i => Entry(start.AddSeconds(i / 5), i, i % 2 == 0 ? "Encrypt" : "Decrypt")).ToList();
        entries = [.. entries.Select(e => At(e, e.EventTime))];
        // A row as the version before log files wrote it (one table row per record).
        var old = Entry(start.AddSeconds(-30), -1, "CreateKey");
        var rows = new TableServiceClient(azurite.ConnectionString).GetTableClient(archive.TableName("us-east-1"));
        await rows.CreateIfNotExistsAsync(Cancel);
        await rows.AddEntityAsync(new TableEntity(AzureTableAuditArchive.Partition("111122223333", old.EventTime), $"{old.EventTime.UtcTicks}|{old.EventId}")
        {
            ["EventName"] = old.EventName, ["Principal"] = old.PrincipalArn, ["AccessKeyId"] = old.AccessKeyId,
            ["Resources"] = string.Join(' ', old.Resources), ["EventTime"] = old.EventTime, ["Sequence"] = old.Sequence,
            ["EventId"] = old.EventId, ["Record0"] = old.Json,
        }, Cancel);
        await store.AppendAsync(entries[..1100], Cancel);
        await store.AppendAsync(entries, Cancel); // the same batch again, grown: as a retry after a failure

        var container = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(name);
        var files = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: Cancel)) files.Add(blob.Name);
        Assert.Equal(2, files.Count); // one per hour
        var content = (await container.GetBlobClient(files[0]).DownloadContentAsync(Cancel)).Value.Content.ToArray();
        using var json = new MemoryStream();
        using (var gunzip = new System.IO.Compression.GZipStream(new MemoryStream(content), System.IO.Compression.CompressionMode.Decompress)) gunzip.CopyTo(json);
        var log = JsonDocument.Parse(json.ToArray());
        Assert.Equal(300, log.RootElement.GetProperty("Records").GetArrayLength()); // CloudTrail's log-file shape
        Assert.True(content.Length * 4 < json.Length, $"{content.Length} bytes gzipped of {json.Length}");

        var query = new AuditQuery("us-east-1", "111122223333", start.AddMinutes(-1), start.AddHours(1)) { MaxResults = 10_000, Ascending = true };
        var found = await store.LookupAsync(query, Cancel);
        Assert.Equal([old.EventId, .. entries.Select(e => e.EventId)], found.Select(e => e.EventId));
        Assert.Equal(entries[5].Json, found[6].Json);
        Assert.Equal(entries[5].Resources, found[6].Resources);
        Assert.Equal("arn:aws:iam::111122223333:root", found[6].PrincipalArn);
        var decrypts = await store.LookupAsync(query with { EventName = "Decrypt", Key = "1" }, Cancel);
        Assert.Equal(entries.Where(e => e.EventName == "Decrypt" && e.Sequence % 3 == 1).Select(e => e.EventId), decrypts.Select(e => e.EventId));
        // A long range lists day folders instead of hours: the same records.
        var wide = await store.LookupAsync(query with { Since = start.AddDays(-3), Until = start.AddDays(2) }, Cancel);
        Assert.Equal(found.Select(e => e.EventId), wide.Select(e => e.EventId));
        var later = await store.LookupAsync(query with { Since = start.AddMinutes(1) }, Cancel); // the second hour only
        Assert.Equal(entries.Where(e => e.EventTime >= start.AddMinutes(1)).Select(e => e.EventId), later.Select(e => e.EventId));
        var newest = await store.LookupAsync(query with { MaxResults = 3, Ascending = false }, Cancel);
        Assert.Equal(entries[^3..].Select(e => e.EventId).Reverse(), newest.Select(e => e.EventId));
    }

    [Fact]
    public async Task The_memory_store_keeps_the_newest_records_up_to_its_capacity()
    {
        var store = new MemoryAuditStore(capacity: 10);
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        await store.AppendAsync([.. Enumerable.Range(0, 25).Select(i => Entry(start.AddSeconds(i), i, "Encrypt"))], Cancel);
        var found = await store.LookupAsync(new AuditQuery("us-east-1", "111122223333", start, start.AddHours(1)) { MaxResults = 100, Ascending = true }, Cancel);
        Assert.Equal(Enumerable.Range(15, 10).Select(i => (long)i), found.Select(e => e.Sequence));
    }
}

/// <summary>The writer's triggers: a full batch is written without waiting for the flush interval.</summary>
public sealed class AuditBatchTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_batch_is_written_before_the_flush_interval()
    {
        var fixture = new BatchServerFixture();
        await fixture.InitializeAsync();
        try
        {
            var kms = fixture.Client();
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata.KeyId;
            for (var i = 0; i < 120; i++) await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, Cancel);

            // Read the store itself (a lookup would flush first): the batch-size trigger wrote at least one full batch.
            var store = fixture.Server.GatewayServices.GetRequiredService<IAuditStore>();
            var query = new AuditQuery("us-east-1", "000000000000", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1)) { MaxResults = 1000 };
            var deadline = DateTime.UtcNow.AddSeconds(10);
            IReadOnlyList<AuditEntry> stored;
            while ((stored = await store.LookupAsync(query, Cancel)).Count < 100 && DateTime.UtcNow < deadline) await Task.Delay(20, Cancel);
            Assert.InRange(stored.Count, 100, 121);
            Assert.Equal("CreateKey", stored[^1].EventName);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private sealed class BatchServerFixture : KmsServerFixture
    {
        protected override void Configure(KmsServerOptions options) =>
            options.ConfigureServices = s => s.Configure<KmsAuditOptions>(o =>
            {
                o.FlushInterval = TimeSpan.FromHours(1);
                o.BatchSize = 100;
            });
    }
}

/// <summary>The sanitizer's allow-list, checked over every operation the gateway implements.</summary>
public sealed class AuditSanitizerTests
{
    private const string Secrets = """
        {"Plaintext":"x","CiphertextBlob":"x","SourceCiphertextBlob":"x","KeyStorePassword":"x","ImportToken":"x",
         "EncryptedKeyMaterial":"x","XksProxyAuthenticationCredential":{"AccessKeyId":"x","RawSecretAccessKey":"x"},
         "GrantTokens":["x"],"GrantToken":"x","Message":"x","Signature":"x","Mac":"x","PublicKey":"x",
         "Recipient":{"AttestationDocument":"x"},"TrustAnchorCertificate":"x"}
        """;

    [Fact]
    public void No_operation_records_a_secret_member()
    {
        var body = Encoding.UTF8.GetBytes(Secrets);
        foreach (var operation in OperationTable.Implemented.Keys)
        {
            Assert.True(AuditSanitizer.RequestParameters(operation, body) is null, operation);
            Assert.True(AuditSanitizer.ResponseElements(operation, body) is null, operation);
        }
    }

    [Fact]
    public void Every_implemented_operation_has_an_allow_list_entry_or_keeps_only_the_key_id()
    {
        var keyOnly = OperationTable.Implemented.Keys.Where(o => !AuditSanitizer.RequestMembers.ContainsKey(o)).Order().ToList();
        // These take no more than a key id worth recording.
        var expected = new[]
        {
            "CancelKeyDeletion", "DescribeKey", "DisableKey", "DisableKeyRotation", "EnableKey", "GetKeyLastUsage",
            "GetKeyRotationStatus", "GetPublicKey", "RotateKeyOnDemand",
        };
        Assert.Empty(keyOnly.Except(expected));
    }

    [Fact]
    public void Names_are_lower_camel_case_and_encryption_contexts_verbatim()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"KeyId":"k","GranteePrincipal":"p","Operations":["Encrypt"],"KeyId":"again",
             "Constraints":{"EncryptionContextSubset":{"Department":"IT","2x\u00e9":"caf\u00e9"}},"Tags":[{"TagKey":"A","TagValue":"b"}]}
            """);
        var kept = AuditSanitizer.RequestParameters("CreateGrant", body)!;
        Assert.Equal("café", kept["constraints"]!["encryptionContextSubset"]!["2xé"]!.GetValue<string>());
        Assert.Equal("k", kept["keyId"]!.GetValue<string>()); // a member sent twice is recorded once
        Assert.Equal("Encrypt", kept["operations"]![0]!.GetValue<string>());
        Assert.Equal("IT", kept["constraints"]!["encryptionContextSubset"]!["Department"]!.GetValue<string>());
        Assert.Equal("p", kept["granteePrincipal"]!.GetValue<string>());
        Assert.Null(kept["tags"]);
        var created = AuditSanitizer.RequestParameters("CreateKey", body)!;
        Assert.Equal("A", created["tags"]![0]!["tagKey"]!.GetValue<string>());
    }
}

/// <summary>The record builder on its own: identities as CloudTrail writes them, and what a refused request may claim.</summary>
public sealed class AuditRecordBuilderTests
{
    private static readonly KmsIdentity Session = new("ASIAEXAMPLE", "x", "555555555555", "arn:aws:sts::555555555555:assumed-role/Auditor/night-shift")
    {
        RoleArn = "arn:aws:iam::555555555555:role/Auditor",
    };

    private static KmsRequestRecord Record(KmsIdentity? identity, string operation, string body, string? error = null) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Time = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero),
        Operation = operation,
        Region = "eu-west-1",
        Identity = identity,
        AccessKeyId = identity?.AccessKeyId ?? "NOSUCHKEY",
        RequestBody = Encoding.UTF8.GetBytes(body),
        ErrorCode = error,
    };

    [Fact]
    public void An_assumed_role_session_has_its_session_context()
    {
        var builder = new AuditRecordBuilder(new IdentityStore([]), "us-east-1");
        var entry = builder.Build(Record(Session, "DescribeKey", """{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}"""), 1);
        var user = System.Text.Json.Nodes.JsonNode.Parse(entry.Json)!["userIdentity"]!;
        Assert.Equal("AssumedRole", user["type"]!.GetValue<string>());
        Assert.EndsWith(":night-shift", user["principalId"]!.GetValue<string>(), StringComparison.Ordinal);
        var issuer = user["sessionContext"]!["sessionIssuer"]!;
        Assert.Equal("Role", issuer["type"]!.GetValue<string>());
        Assert.Equal("arn:aws:iam::555555555555:role/Auditor", issuer["arn"]!.GetValue<string>());
        Assert.Equal("Auditor", issuer["userName"]!.GetValue<string>());
        Assert.Equal(["arn:aws:kms:eu-west-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab"], entry.Resources);
    }

    [Fact]
    public void Consecutive_records_on_one_thread_each_carry_their_own_time_address_and_user_agent()
    {
        var builder = new AuditRecordBuilder(new IdentityStore([]), "us-east-1");
        var start = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
        var calls = new (TimeSpan After, string? Address, string? Agent)[]
        {
            (TimeSpan.Zero, "10.0.0.1", "agent/1"),
            (TimeSpan.FromMilliseconds(999), "10.0.0.1", new string("agent/1".AsSpan())),
            (TimeSpan.FromSeconds(1), "10.0.0.2", "agent/2 é"),
            (TimeSpan.FromDays(400), null, null),
            (TimeSpan.Zero, "10.0.0.1", "agent/1"),
        };
        foreach (var (after, address, agent) in calls)
        {
            var entry = builder.Build(new KmsRequestRecord
            {
                RequestId = Guid.NewGuid().ToString(),
                Time = start + after,
                Operation = "DescribeKey",
                Region = "eu-west-1",
                Identity = Session,
                AccessKeyId = Session.AccessKeyId,
                RequestBody = "{}"u8.ToArray(),
                SourceIp = address,
                UserAgent = agent,
            }, 1);
            var json = System.Text.Json.Nodes.JsonNode.Parse(entry.Json)!;
            Assert.Equal((start + after).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), json["eventTime"]!.GetValue<string>());
            Assert.Equal(address, json["sourceIPAddress"]?.GetValue<string>());
            Assert.Equal(agent, json["userAgent"]?.GetValue<string>());
        }
    }

    [Fact]
    public void A_request_with_an_unknown_access_key_belongs_to_no_account_and_an_unknown_target_is_not_an_event_name()
    {
        var builder = new AuditRecordBuilder(new IdentityStore([]), "us-east-1");
        var entry = builder.Build(Record(null, "unknown", "{}", "UnrecognizedClientException"), 1, "TrentService.MadeUp");
        Assert.Null(entry.AccountId);
        Assert.Equal("unknown", entry.EventName);
        Assert.Equal("Encrypt", builder.Build(Record(null, "unknown", "{}", "UnrecognizedClientException"), 2, "TrentService.Encrypt").EventName);
    }

    [Fact]
    public void A_claimed_region_that_is_no_region_is_recorded_in_the_home_region_and_never_names_a_file()
    {
        var builder = new AuditRecordBuilder(new IdentityStore([]), "us-east-1");
        foreach (var claimed in new[] { "..", new string('x', 5000), "eu-west-1" })
        {
            var record = new KmsRequestRecord
            {
                RequestId = "r", Time = DateTimeOffset.UnixEpoch, Operation = "unknown", Region = claimed, AccessKeyId = "NOSUCHKEY",
                RequestBody = Encoding.UTF8.GetBytes("{}"), ErrorCode = "UnrecognizedClientException",
            };
            var entry = builder.Build(record, 1);
            var expected = claimed == "eu-west-1" ? "eu-west-1" : "us-east-1";
            Assert.Equal(expected, entry.Region);
            Assert.Equal(expected, System.Text.Json.Nodes.JsonNode.Parse(entry.Json)!["awsRegion"]!.GetValue<string>());
        }
    }

    [Fact]
    public void A_body_that_is_not_json_is_recorded_without_parameters_and_the_record_stays_json()
    {
        var builder = new AuditRecordBuilder(new IdentityStore([]), "us-east-1");
        var entry = builder.Build(Record(Session, "Encrypt", """{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","EncryptionContext":{"a":""", "SerializationException"), 1);
        var record = System.Text.Json.Nodes.JsonNode.Parse(entry.Json)!;
        Assert.Null(record["requestParameters"]);
        Assert.Equal("SerializationException", record["errorCode"]!.GetValue<string>());
        Assert.Equal("Encrypt", record["eventName"]!.GetValue<string>());
        Assert.Empty(entry.Resources);
        // The next record from the same builder is whole again.
        var next = builder.Build(Record(Session, "Encrypt", """{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","EncryptionContext":{"a":"b"}}"""), 2);
        Assert.Equal("b", System.Text.Json.Nodes.JsonNode.Parse(next.Json)!["requestParameters"]!["encryptionContext"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public void A_key_named_by_id_and_answered_by_arn_is_one_resource_and_records_built_in_turn_keep_their_own_events()
    {
        const string Id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        const string Arn = "arn:aws:kms:eu-west-1:555555555555:key/" + Id;
        var builder = new AuditRecordBuilder(new IdentityStore([]), "us-east-1");
        var answered = Record(Session, "Encrypt", $$"""{"KeyId":"{{Id}}","Plaintext":"AAAA"}""");
        var encrypt = builder.Build(new KmsRequestRecord
        {
            RequestId = "r1", Time = answered.Time, Operation = "Encrypt", Region = "eu-west-1", Identity = Session, AccessKeyId = Session.AccessKeyId,
            RequestBody = answered.RequestBody,
            ResponseBody = Encoding.UTF8.GetBytes($$"""{"CiphertextBlob":"AAAA","KeyId":"{{Arn}}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}"""),
        }, 1);
        Assert.Equal([Arn], encrypt.Resources);

        // The same key id in another account's ARN is another key: both are resources.
        const string Other = "arn:aws:kms:eu-west-1:999999999999:key/" + Id;
        var reEncrypt = builder.Build(new KmsRequestRecord
        {
            RequestId = "r2", Time = answered.Time, Operation = "ReEncrypt", Region = "eu-west-1", Identity = Session, AccessKeyId = Session.AccessKeyId,
            RequestBody = Encoding.UTF8.GetBytes($$"""{"CiphertextBlob":"AAAA","DestinationKeyId":"{{Id}}"}"""),
            ResponseBody = Encoding.UTF8.GetBytes($$"""{"CiphertextBlob":"AAAA","KeyId":"{{Other}}"}"""),
        }, 2);
        Assert.Equal([Other, Arn], reEncrypt.Resources);

        // Built one after the other from one thread's buffer, each entry keeps its own event and resources.
        Assert.Equal("r1", System.Text.Json.Nodes.JsonNode.Parse(encrypt.Json)!["requestID"]!.GetValue<string>());
        Assert.Equal("r2", System.Text.Json.Nodes.JsonNode.Parse(reEncrypt.Json)!["requestID"]!.GetValue<string>());
        Assert.Equal([Arn], encrypt.Resources);
    }
}
