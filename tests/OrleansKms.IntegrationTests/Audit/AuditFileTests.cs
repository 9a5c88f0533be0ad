using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway.Audit;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Audit;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Audit;

/// <summary>
/// The audit trail of the default service (Azurite started by the service): CloudTrail log files in the data
/// directory, the records earlier versions wrote as blobs still found.
/// </summary>
public sealed class AuditFileTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kms-auditfiles-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private Task<KmsServer> StartAsync() => KmsServer.StartAsync(new KmsServerOptions
    {
        Port = 0,
        Storage = KmsStorageMode.Azurite,
        DataDirectory = _dataDirectory,
        SiloPort = TestPorts.Free(),
        SiloGatewayPort = TestPorts.Free(),
        LogLevel = LogLevel.Warning,
    }, Cancel);

    [Fact]
    public async Task The_default_service_keeps_log_files_in_its_data_folder_and_still_finds_what_earlier_versions_put_in_blobs()
    {
        string keyId, earlierEventId;
        const int encrypts = 5;
        await using (var server = await StartAsync())
        {
            var kms = SdkClients.Create(server.Endpoint, "us-east-1", "test", "test");
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest(), Cancel)).KeyMetadata;
            keyId = key.KeyId;
            for (var i = 0; i < encrypts; i++)
                await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes($"secret {i}")) }, Cancel);

            // A record as the version before wrote it: a log file in the kmsaudit container of the service's Azurite.
            var blobs = new AzureBlobAuditStore(new Azure.Storage.Blobs.BlobServiceClient(server.StorageConnectionString),
                Microsoft.Extensions.Options.Options.Create(new KmsAuditOptions()));
            var builder = new AuditRecordBuilder(new OrleansKms.Gateway.Auth.IdentityStore([]), "us-east-1");
            var earlier = builder.Build(new OrleansKms.Gateway.KmsRequestRecord
            {
                RequestId = "earlier-version", Time = DateTimeOffset.UtcNow.AddMinutes(-5), Operation = "DescribeKey", Region = "us-east-1",
                Identity = new OrleansKms.Gateway.Auth.KmsIdentity("test", "test", "000000000000", "arn:aws:iam::000000000000:root"),
                AccessKeyId = "test", RequestBody = Encoding.UTF8.GetBytes($$"""{"KeyId":"{{keyId}}"}"""),
            }, 1);
            earlierEventId = earlier.EventId;
            await blobs.AppendAsync([earlier], Cancel);
        }

        // Straight from the folder after the clean stop: CloudTrail log files, the service user's alone.
        var root = Path.Combine(_dataDirectory, "audit");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList(); // names sort by time and sequence
        Assert.NotEmpty(files);
        var records = new List<JsonElement>();
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            Assert.Matches(@"^AWSLogs/000000000000/CloudTrail/us-east-1/\d{4}/\d{2}/\d{2}/\d{2}/000000000000_CloudTrail_us-east-1_\d{8}T\d{13}Z_\d{19}_[0-9a-f]{12}\.json\.gz$", name);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
            }

            using var json = new MemoryStream();
            using (var gunzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress)) gunzip.CopyTo(json);
            var log = JsonDocument.Parse(json.ToArray());
            records.AddRange(log.RootElement.GetProperty("Records").EnumerateArray()
                .Where(r => r.GetProperty("resources").EnumerateArray().Any(x => x.GetProperty("ARN").GetString()!.EndsWith(keyId, StringComparison.Ordinal)))
                .Select(r => r.Clone()));
        }

        Assert.Equal(["CreateKey", .. Enumerable.Repeat("Encrypt", encrypts)], records.Select(r => r.GetProperty("eventName").GetString()));
        Assert.DoesNotContain(records, r => r.GetRawText().Contains("secret ", StringComparison.Ordinal));

        // A file being written when the process died (never renamed into place) is not read.
        var folder = Path.GetDirectoryName(files[0])!;
        await File.WriteAllTextAsync(Path.Combine(folder, Path.GetFileName(files[0]) + ".partial"), "not gzip", Cancel);

        await using (var again = await StartAsync())
        {
            var (found, raw) = await AuditSdkTests.LookupAsync(again.Endpoint, "test", "test", encrypts + 2, "--key", keyId, "--max", "100");
            Assert.Equal(encrypts + 2, found.Count);
            Assert.Equal(earlierEventId, found[^1]!["eventID"]!.GetValue<string>()); // the oldest: the earlier version's blob
            Assert.Equal("CreateKey", found[^2]!["eventName"]!.GetValue<string>());
            Assert.DoesNotContain("secret ", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_retried_write_adds_no_duplicates_and_lookups_merge_the_earlier_store()
    {
        var earlier = new MemoryAuditStore();
        var store = new FileAuditStore(Path.Combine(_dataDirectory, "only-files"), earlier);
        var start = new DateTimeOffset(2026, 12, 1, 9, 59, 0, TimeSpan.Zero);
        var builder = new AuditRecordBuilder(new OrleansKms.Gateway.Auth.IdentityStore([]), "us-east-1");
        var identity = new OrleansKms.Gateway.Auth.KmsIdentity("AKIA1", "x", "111122223333", "arn:aws:iam::111122223333:root");
        AuditEntry Entry(int i) => builder.Build(new OrleansKms.Gateway.KmsRequestRecord
        {
            RequestId = $"r{i}", Time = start.AddSeconds(i), Operation = i % 2 == 0 ? "Encrypt" : "Decrypt", Region = "us-east-1",
            Identity = identity, AccessKeyId = "AKIA1", RequestBody = Encoding.UTF8.GetBytes("""{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}"""),
        }, i);
        var entries = Enumerable.Range(1, 120).Select(Entry).ToList();
        await earlier.AppendAsync([Entry(0)], Cancel);
        await store.AppendAsync(entries[..100], Cancel);
        await store.AppendAsync(entries, Cancel); // the same batch again, grown: as a retry after a failure

        Assert.Equal(2, Directory.EnumerateFiles(store.Root, "*.json.gz", SearchOption.AllDirectories).Count()); // one per hour
        var query = new AuditQuery("us-east-1", "111122223333", start.AddMinutes(-1), start.AddHours(1)) { MaxResults = 1000, Ascending = true };
        var found = await store.LookupAsync(query, Cancel);
        Assert.Equal(Enumerable.Range(0, 121).Select(i => $"r{i}"), found.Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("requestID").GetString()));
        var newest = await store.LookupAsync(query with { MaxResults = 2, Ascending = false, EventName = "Encrypt" }, Cancel);
        Assert.Equal(["r120", "r118"], newest.Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("requestID").GetString()));
        var wide = await store.LookupAsync(query with { Since = start.AddDays(-3), Until = start.AddDays(2) }, Cancel); // day folders
        Assert.Equal(found.Select(e => e.EventId), wide.Select(e => e.EventId));
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
