using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// The keys one measurement spreads its calls over, and what the replaying operation needs: ciphertexts for Decrypt,
/// or, for a signing key (<paramref name="SigningAlgorithm"/> set), a signature of the bench message for Verify.
/// </summary>
internal sealed record KeySetup(string Name, IReadOnlyList<string> KeyIds, IReadOnlyList<byte[]> Blobs, string? SigningAlgorithm = null)
{
    public bool IsSigning => SigningAlgorithm is not null;
}

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

    /// <summary>True when <paramref name="operation"/> runs against <paramref name="setup"/>: sign and verify against signing keys only.</summary>
    public static bool Applies(string operation, KeySetup setup) => IsSigningOperation(operation) == setup.IsSigning;

    public static bool IsSigningOperation(string operation) => operation is "sign" or "verify";

    public BenchCall CallFor(string operation, KeySetup setup) => operation switch
    {
        "encrypt" => (w, i, ct) => EncryptAsync(Pick(setup.KeyIds, w, i), ct),
        "decrypt" => (w, i, ct) => DecryptAsync(Pick(setup.Blobs, w, i), ct),
        "generate-data-key" => (w, i, ct) => GenerateDataKeyAsync(Pick(setup.KeyIds, w, i), ct),
        "sign" => (_, _, ct) => SignAsync(setup, ct),
        "verify" => (_, _, ct) => VerifyAsync(setup, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a bench operation."),
    };

    public static string DisplayName(string operation) => operation switch
    {
        "encrypt" => "Encrypt",
        "decrypt" => "Decrypt",
        "generate-data-key" => "GenerateDataKey",
        "sign" => "Sign",
        "verify" => "Verify",
        _ => operation,
    };

    public Task EncryptAsync(string keyId, CancellationToken cancel) =>
        client.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(_plaintext, writable: false) }, cancel);

    private Task DecryptAsync(byte[] ciphertext, CancellationToken cancel) =>
        client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext, writable: false) }, cancel);

    private Task GenerateDataKeyAsync(string keyId, CancellationToken cancel) =>
        client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 }, cancel);

    /// <summary>
    /// Creates one SIGN_VERIFY key per spec, signs the bench message with it (RAW) and checks that Verify accepts the
    /// signature, so a Verify row measures the accepting path.
    /// </summary>
    public async Task<IReadOnlyList<KeySetup>> CreateSigningSetupsAsync(IReadOnlyList<string> specs, CancellationToken cancel)
    {
        var setups = new KeySetup[specs.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(concurrency, 8), CancellationToken = cancel };
        await Parallel.ForEachAsync(Enumerable.Range(0, specs.Count), parallel, async (i, ct) =>
        {
            var algorithm = SigningSpecs.Algorithm(specs[i]);
            var created = await client.CreateKeyAsync(new CreateKeyRequest
            {
                KeySpec = specs[i],
                KeyUsage = KeyUsageType.SIGN_VERIFY,
                Description = "kms bench",
            }, ct);
            var keyId = created.KeyMetadata.KeyId;
            var setup = new KeySetup(specs[i], [keyId], [], algorithm);
            var signature = (await client.SignAsync(SignRequest(setup), ct)).Signature.ToArray();
            setup = setup with { Blobs = [signature] };
            if ((await client.VerifyAsync(VerifyRequest(setup), ct)).SignatureValid != true)
                throw new InvalidOperationException($"Verify refused the {specs[i]} signature made during setup.");
            setups[i] = setup;
        });
        return setups;
    }

    private Task SignAsync(KeySetup setup, CancellationToken cancel) => client.SignAsync(SignRequest(setup), cancel);

    private async Task VerifyAsync(KeySetup setup, CancellationToken cancel)
    {
        var response = await client.VerifyAsync(VerifyRequest(setup), cancel);
        if (response.SignatureValid != true)
            throw new InvalidOperationException($"Verify answered SignatureValid={response.SignatureValid} for a valid signature.");
    }

    private SignRequest SignRequest(KeySetup setup) => new()
    {
        KeyId = setup.KeyIds[0],
        Message = new MemoryStream(_plaintext, writable: false),
        MessageType = MessageType.RAW,
        SigningAlgorithm = setup.SigningAlgorithm,
    };

    private VerifyRequest VerifyRequest(KeySetup setup) => new()
    {
        KeyId = setup.KeyIds[0],
        Message = new MemoryStream(_plaintext, writable: false),
        MessageType = MessageType.RAW,
        SigningAlgorithm = setup.SigningAlgorithm,
        Signature = new MemoryStream(setup.Blobs[0], writable: false),
    };

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
