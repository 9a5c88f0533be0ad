using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using OrleansKms.Encryption;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// <c>kms bench --envelope SIZE</c>: the throughput of envelope encryption (OrleansKms.Encryption) of a SIZE file to a
/// file and back, per suite and frame size, with wall time and the CPU time the process used. The one KMS call per
/// message is answered in-process (the point is the bulk encryption, not KMS), so no service is needed.
/// </summary>
internal static class EnvelopeBench
{
    public const string Usage = """
        Usage: kms bench --envelope SIZE [--frame-size N[,N...]] [--algorithm committed|committed-signed|both] [--dir DIR]
          Encrypts a SIZE file of random bytes (e.g. 1GiB, 256MiB, 1000000) to a file and decrypts it back, for each
          frame size (default 4096,65536,1048576) and suite (default both), and prints MB/s of wall time and MB/s per
          CPU-second of this process (1 MB = 10^6 bytes). Files go to DIR (default the temporary directory; /dev/shm
          keeps disk write-back out of the figures).
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancel)
    {
        long size = 0;
        int[] frames = [4096, 65536, 1 << 20];
        AlgorithmSuite[] suites = [AlgorithmSuite.AesGcm256HkdfSha512CommitKey, AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384];
        var directory = Path.GetTempPath();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "-h" or "--help") { Console.WriteLine(Usage); return 0; }
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : null;
            switch (name, value)
            {
                case ("--envelope", { } v) when ParseSize(v) is { } s: size = s; break;
                case ("--frame-size", { } v) when v.Split(',').All(f => int.TryParse(f, CultureInfo.InvariantCulture, out var n) && n > 0):
                    frames = [.. v.Split(',').Select(f => int.Parse(f, CultureInfo.InvariantCulture))];
                    break;
                case ("--algorithm", "committed"): suites = [suites[0]]; break;
                case ("--algorithm", "committed-signed"): suites = [suites[1]]; break;
                case ("--algorithm", "both"): break;
                case ("--dir", { } v): directory = v; break;
                default:
                    Console.Error.WriteLine($"kms bench: bad option {name} {value}\n{Usage}");
                    return 2;
            }
        }

        var work = Directory.CreateDirectory(Path.Combine(directory, $"kms-envelope-bench-{Guid.NewGuid():N}")).FullName;
        try
        {
            var plain = Path.Combine(work, "plain");
            await WriteRandomAsync(plain, size, cancel);
            var plaintext = await File.ReadAllBytesAsync(plain, cancel);
            Console.WriteLine($"Envelope encryption of {size:N0} bytes; {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
            Console.WriteLine("MB/s of wall time, and MB/s per CPU-second of this process (in brackets). File: file to file. Memory: from");
            Console.WriteLine("a byte array to a null stream (the library alone, without the kernel's file copies and page allocation).");
            Console.WriteLine("SUITE  FRAME     FILE ENCRYPT     FILE DECRYPT     MEMORY ENCRYPT   MEMORY DECRYPT   MESSAGE BYTES");
            foreach (var suite in suites)
            {
                foreach (var frame in frames) Console.WriteLine(await MeasureAsync(suite, frame, work, plain, plaintext, cancel));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    // One row: file to file, then memory to a null stream, for one suite and frame length.
    private static async Task<string> MeasureAsync(AlgorithmSuite suite, int frame, string work, string plain, byte[] plaintext, CancellationToken cancel)
    {
        var client = new EnvelopeEncryptionClient(LocalDataKeys.Keyring(), new EnvelopeEncryptionOptions { Algorithm = suite, FrameLength = frame });
        await WarmUpAsync(client, cancel);
        var sealedFile = Path.Combine(work, "sealed");
        var opened = Path.Combine(work, "opened");
        var fileEncrypt = await MeasureAsync(() => client.EncryptFileAsync(plain, sealedFile, null, cancel));
        var fileDecrypt = await MeasureAsync(() => client.DecryptFileAsync(sealedFile, opened, null, cancel));
        if (new FileInfo(opened).Length != plaintext.LongLength) throw new InvalidDataException("The decrypted file has another length.");
        File.Delete(opened);
        var message = await File.ReadAllBytesAsync(sealedFile, cancel);
        File.Delete(sealedFile);
        var memoryEncrypt = await MeasureAsync(() => client.EncryptAsync(new MemoryStream(plaintext, false), Stream.Null, null, cancel));
        var memoryDecrypt = await MeasureAsync(() => client.DecryptAsync(new MemoryStream(message, false), Stream.Null, null, cancel));
        var size = plaintext.LongLength;
        return $"{(ushort)suite:X4}   {frame,-8}  {Rate(size, fileEncrypt)}  {Rate(size, fileDecrypt)}  {Rate(size, memoryEncrypt)}  {Rate(size, memoryDecrypt)}  {message.LongLength:N0}";
    }

    private static string Rate(long size, (double Wall, double Cpu) time) => $"{size / time.Wall / 1e6,5:F0} ({size / time.Cpu / 1e6,5:F0})".PadRight(15);

    // Runs the code paths once on 32 MiB in memory, so the measurement sees optimised (tier-1) code.
    private static async Task WarmUpAsync(EnvelopeEncryptionClient client, CancellationToken cancel)
    {
        var message = new MemoryStream();
        await client.EncryptAsync(new MemoryStream(new byte[32 << 20]), message, null, cancel);
        message.Position = 0;
        await client.DecryptAsync(message, Stream.Null, null, cancel);
    }

    private static async Task<(double Wall, double Cpu)> MeasureAsync(Func<Task> run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await run();
        var wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static async Task WriteRandomAsync(string path, long size, CancellationToken cancel)
    {
        var block = RandomNumberGenerator.GetBytes(1 << 20);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        for (long written = 0; written < size; written += block.Length)
            await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)), cancel);
    }

    private static long? ParseSize(string text)
    {
        var units = new[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("", 1L) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && long.TryParse(text[..^suffix.Length], CultureInfo.InvariantCulture, out var n) && n >= 0)
                return n * factor;
        }

        return null;
    }

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    /// <summary>Data keys made in-process for the benchmark: GenerateDataKey and Decrypt under a random AES key, no network.</summary>
    private sealed class LocalDataKeys : AmazonKeyManagementServiceClient
    {
        private const string Arn = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000";
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

        private LocalDataKeys()
            : base(new BasicAWSCredentials("bench", "bench"), new AmazonKeyManagementServiceConfig { ServiceURL = "http://127.0.0.1:9" })
        {
        }

        public static KmsKeyring Keyring() => new(new KmsKeyringOptions { Client = new LocalDataKeys(), KeyIds = [Arn] });

        public override Task<GenerateDataKeyResponse> GenerateDataKeyAsync(GenerateDataKeyRequest request, CancellationToken cancellationToken = default)
        {
            var plaintext = RandomNumberGenerator.GetBytes(32);
            var blob = new byte[12 + 32 + 16];
            RandomNumberGenerator.Fill(blob.AsSpan(0, 12));
            using var aes = new AesGcm(_key, 16);
            aes.Encrypt(blob.AsSpan(0, 12), plaintext, blob.AsSpan(12, 32), blob.AsSpan(44));
            return Task.FromResult(new GenerateDataKeyResponse { KeyId = Arn, Plaintext = new MemoryStream(plaintext), CiphertextBlob = new MemoryStream(blob) });
        }

        public override Task<DecryptResponse> DecryptAsync(DecryptRequest request, CancellationToken cancellationToken = default)
        {
            var blob = request.CiphertextBlob.ToArray();
            var plaintext = new byte[32];
            using var aes = new AesGcm(_key, 16);
            aes.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(12, 32), blob.AsSpan(44), plaintext);
            return Task.FromResult(new DecryptResponse { KeyId = Arn, Plaintext = new MemoryStream(plaintext) });
        }
    }
}
