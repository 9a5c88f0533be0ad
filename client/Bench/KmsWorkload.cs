using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace OrleansKms.Cli.Bench;

/// <summary>The keys one measurement spreads its calls over, and ciphertexts made under them for Decrypt.</summary>
internal sealed record KeySetup(string Name, IReadOnlyList<string> KeyIds, IReadOnlyList<byte[]> Ciphertexts);

/// <summary>
/// The bench's use of the official AWS SDK: a client tuned for measurement (no retries, a connection per caller),
/// key setup with CreateKey, and one <see cref="BenchCall"/> per operation.
/// </summary>
internal sealed class KmsWorkload(IAmazonKeyManagementService client, int concurrency)
{
    public const int PlaintextBytes = 256;
    private const int OneKeyCiphertexts = 32;

    private readonly byte[] _plaintext = Enumerable.Range(0, PlaintextBytes).Select(i => (byte)i).ToArray();

    /// <summary>An SDK client for a loopback endpoint: errors are counted, not retried; every caller gets a connection.</summary>
    public static AmazonKeyManagementServiceClient CreateClient(Uri endpoint, string region, string accessKey, string secretKey, int concurrency)
    {
        var config = new AmazonKeyManagementServiceConfig
        {
            ServiceURL = endpoint.ToString().TrimEnd('/'),
            AuthenticationRegion = region,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 0,
            ThrottleRetries = false,
            MaxConnectionsPerServer = Math.Max(concurrency, 2),
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials(accessKey, secretKey), config);
    }

    /// <summary>Creates <paramref name="keys"/> SYMMETRIC_DEFAULT keys and returns the "1 key" and "many keys" setups.</summary>
    public async Task<IReadOnlyList<KeySetup>> CreateSetupsAsync(int keys, CancellationToken cancel)
    {
        var keyIds = new string[keys];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(concurrency, 16), CancellationToken = cancel };
        await Parallel.ForEachAsync(Enumerable.Range(0, keys), parallel, async (i, ct) =>
        {
            var created = await client.CreateKeyAsync(new CreateKeyRequest
            {
                KeySpec = KeySpec.SYMMETRIC_DEFAULT,
                KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
                Description = "kms bench",
            }, ct);
            keyIds[i] = created.KeyMetadata.KeyId;
        });

        var oneCiphertexts = await EncryptAllAsync(Enumerable.Repeat(keyIds[0], OneKeyCiphertexts), parallel);
        await VerifyRoundTripAsync(oneCiphertexts[0], cancel);
        var one = new KeySetup("1 key", [keyIds[0]], oneCiphertexts);
        if (keys == 1) return [one];
        var manyCiphertexts = await EncryptAllAsync(keyIds, parallel);
        await VerifyRoundTripAsync(manyCiphertexts[^1], cancel);
        return [one, new KeySetup($"{keys} keys", keyIds, manyCiphertexts)];
    }

    public BenchCall CallFor(string operation, KeySetup setup) => operation switch
    {
        "encrypt" => (w, i, ct) => EncryptAsync(Pick(setup.KeyIds, w, i), ct),
        "decrypt" => (w, i, ct) => DecryptAsync(Pick(setup.Ciphertexts, w, i), ct),
        "generate-data-key" => (w, i, ct) => GenerateDataKeyAsync(Pick(setup.KeyIds, w, i), ct),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a bench operation."),
    };

    public static string DisplayName(string operation) => operation switch
    {
        "encrypt" => "Encrypt",
        "decrypt" => "Decrypt",
        "generate-data-key" => "GenerateDataKey",
        _ => operation,
    };

    public Task EncryptAsync(string keyId, CancellationToken cancel) =>
        client.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(_plaintext, writable: false) }, cancel);

    private Task DecryptAsync(byte[] ciphertext, CancellationToken cancel) =>
        client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext, writable: false) }, cancel);

    private Task GenerateDataKeyAsync(string keyId, CancellationToken cancel) =>
        client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 }, cancel);

    /// <summary>Spreads workers over the items: at each turn the workers hold consecutive, distinct items where they can.</summary>
    private T Pick<T>(IReadOnlyList<T> items, int worker, long iteration) =>
        items[(int)((worker + iteration * concurrency) % items.Count)];

    private async Task<byte[][]> EncryptAllAsync(IEnumerable<string> keyIds, ParallelOptions parallel)
    {
        var ids = keyIds.ToArray();
        var blobs = new byte[ids.Length][];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), parallel, async (i, ct) =>
        {
            var response = await client.EncryptAsync(new EncryptRequest { KeyId = ids[i], Plaintext = new MemoryStream(_plaintext, writable: false) }, ct);
            blobs[i] = response.CiphertextBlob.ToArray();
        });
        return blobs;
    }

    private async Task VerifyRoundTripAsync(byte[] ciphertext, CancellationToken cancel)
    {
        var response = await client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext, writable: false) }, cancel);
        if (!response.Plaintext.ToArray().AsSpan().SequenceEqual(_plaintext))
            throw new InvalidOperationException("Decrypt returned a plaintext that differs from the one encrypted during setup.");
    }
}
