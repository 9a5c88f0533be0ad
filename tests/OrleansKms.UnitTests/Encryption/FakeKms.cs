using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using OrleansKms.Encryption;

namespace OrleansKms.UnitTests.Encryption;

/// <summary>
/// A KMS stand-in for unit tests of the envelope library (the interop tests use the real gateway): AES-GCM data-key
/// wrapping bound to the key and the encryption context, multi-Region replicas sharing material, call counts per
/// Region, and the AWS error a real client gets for a wrong key, a wrong context or a missing key.
/// </summary>
internal sealed class FakeKms
{
    public const string Account = "111122223333";

    private readonly Dictionary<string, byte[]> _material = new(StringComparer.Ordinal);
    private readonly HashSet<string> _arns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeKmsClient> _clients = new(StringComparer.Ordinal);

    public int GenerateCalls { get; private set; }

    public int EncryptCalls { get; private set; }

    public Dictionary<string, int> DecryptCallsByRegion { get; } = new(StringComparer.Ordinal);

    public int DecryptCalls => DecryptCallsByRegion.Values.Sum();

    public string CreateKey(string region = "us-east-1", bool multiRegion = false)
    {
        var id = (multiRegion ? "mrk-" : "") + Guid.NewGuid().ToString("N");
        _material[id] = RandomNumberGenerator.GetBytes(32);
        var arn = $"arn:aws:kms:{region}:{Account}:key/{id}";
        _arns.Add(arn);
        return arn;
    }

    public string Replicate(string arn, string region)
    {
        var parts = arn.Split(':');
        parts[3] = region;
        var replica = string.Join(':', parts);
        _arns.Add(replica);
        return replica;
    }

    public FakeKmsClient Client(string region = "us-east-1")
    {
        if (!_clients.TryGetValue(region, out var client)) _clients[region] = client = new FakeKmsClient(this, region);
        return client;
    }

    public KmsKeyring Keyring(params string[] keyIds) =>
        new(new KmsKeyringOptions { Client = Client(), ClientForRegion = Client, KeyIds = keyIds });

    internal string Resolve(string keyId, string region)
    {
        var arn = keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : $"arn:aws:kms:{region}:{Account}:key/{keyId}";
        if (!_arns.Contains(arn) || arn.Split(':')[3] != region) throw new NotFoundException($"Key '{arn}' does not exist");
        return arn;
    }

    internal (string Arn, byte[] Blob) Wrap(string keyId, string region, byte[] plaintext, Dictionary<string, string>? context)
    {
        var arn = Resolve(keyId, region);
        var id = Id(arn);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var blob = new byte[1 + id.Length + 12 + plaintext.Length + 16];
        blob[0] = (byte)id.Length;
        Encoding.ASCII.GetBytes(id, blob.AsSpan(1));
        nonce.CopyTo(blob, 1 + id.Length);
        using var aes = new AesGcm(_material[id], 16);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + id.Length + 12, plaintext.Length), blob.AsSpan(blob.Length - 16), Aad(id, context));
        return (arn, blob);
    }

    internal (string Arn, byte[] Plaintext) Unwrap(string? keyId, string region, byte[] blob, Dictionary<string, string>? context)
    {
        DecryptCallsByRegion[region] = DecryptCallsByRegion.GetValueOrDefault(region) + 1;
        if (blob.Length < 1 + 12 + 16 || blob.Length < 1 + blob[0] + 12 + 16) throw new InvalidCiphertextException("");
        var id = Encoding.ASCII.GetString(blob, 1, blob[0]);
        if (!_material.TryGetValue(id, out var material)) throw new InvalidCiphertextException("");
        var arn = $"arn:aws:kms:{region}:{Account}:key/{id}";
        if (keyId is not null && Id(Resolve(keyId, region)) != id)
            throw new IncorrectKeyException("The key ID in the request does not identify a CMK that can perform this operation.");
        Resolve(arn, region);
        var body = blob.AsSpan(1 + id.Length);
        var plaintext = new byte[body.Length - 12 - 16];
        try
        {
            using var aes = new AesGcm(material, 16);
            aes.Decrypt(body[..12], body[12..^16], body[^16..], plaintext, Aad(id, context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidCiphertextException("");
        }

        return (arn, plaintext);
    }

    internal void CountGenerate() => GenerateCalls++;

    internal void CountEncrypt() => EncryptCalls++;

    private static string Id(string arn) => arn[(arn.IndexOf(":key/", StringComparison.Ordinal) + 5)..];

    private static byte[] Aad(string id, Dictionary<string, string>? context) =>
        Encoding.UTF8.GetBytes(id + "|" + string.Join('|', (context ?? []).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
}

/// <summary>One Region's client of <see cref="FakeKms"/>: the AWS SDK client type with its three data-key calls answered locally.</summary>
internal sealed class FakeKmsClient(FakeKms kms, string region) : AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"),
    new AmazonKeyManagementServiceConfig { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = region, MaxErrorRetry = 0 })
{
    public override Task<GenerateDataKeyResponse> GenerateDataKeyAsync(GenerateDataKeyRequest request, CancellationToken cancellationToken = default)
    {
        kms.CountGenerate();
        var plaintext = RandomNumberGenerator.GetBytes(request.NumberOfBytes ?? 32);
        var (arn, blob) = kms.Wrap(request.KeyId, region, plaintext, request.EncryptionContext);
        return Task.FromResult(new GenerateDataKeyResponse { KeyId = arn, Plaintext = new MemoryStream(plaintext), CiphertextBlob = new MemoryStream(blob) });
    }

    public override Task<EncryptResponse> EncryptAsync(EncryptRequest request, CancellationToken cancellationToken = default)
    {
        kms.CountEncrypt();
        var (arn, blob) = kms.Wrap(request.KeyId, region, request.Plaintext.ToArray(), request.EncryptionContext);
        return Task.FromResult(new EncryptResponse { KeyId = arn, CiphertextBlob = new MemoryStream(blob) });
    }

    public override Task<DecryptResponse> DecryptAsync(DecryptRequest request, CancellationToken cancellationToken = default)
    {
        var (arn, plaintext) = kms.Unwrap(request.KeyId, region, request.CiphertextBlob.ToArray(), request.EncryptionContext);
        return Task.FromResult(new DecryptResponse { KeyId = arn, Plaintext = new MemoryStream(plaintext) });
    }
}
