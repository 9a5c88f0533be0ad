using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace OrleansKms.Cli.Bench;

/// <summary>The bench command's options; <see cref="TryParse"/> reads them from the command line.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Usage: kms bench [options]
          Measures ops/s and p50/p99/p99.9 latency of Encrypt, Decrypt and GenerateDataKey against a KMS endpoint
          (with one key, then spread over many keys), and of a bare Kestrel + AES-GCM Encrypt "ceiling" in-process.
          With sign,verify in --operations it also measures Sign and Verify (RAW message) for each signing key spec.

          --endpoint URL          KMS endpoint, loopback only (default http://127.0.0.1:4566)
          --region NAME           signing region (default us-east-1)
          --access-key KEY        access key id (default test)
          --secret-key SECRET     secret access key (default test)
          --concurrency N         concurrent callers (default 32)
          --duration TIME         measured time per operation, e.g. 10s, 500ms, 1m (default 10s)
          --warmup TIME           unmeasured warm-up before each measurement, and for every row once
                                  before the first measurement (default 3s; 0s skips both)
          --keys N                keys for the "many keys" setup (default 100)
          --operations LIST       comma-separated: encrypt,decrypt,generate-data-key,sign,verify
                                  (default encrypt,decrypt,generate-data-key)
          --signing-specs LIST    key specs for sign and verify (default every SIGN_VERIFY spec but SM2:
                                  RSA_2048..4096, ECC_NIST_P256/P384/P521, ECC_SECG_P256K1,
                                  ECC_NIST_EDWARDS25519, ML_DSA_44/65/87)
          --no-ceiling            skip the ceiling measurement
          --json FILE             also write the results as JSON to FILE
          -h, --help              print this help

        kms bench --envelope SIZE [--frame-size N[,N...]] measures envelope encryption instead (no service needed):
        run 'kms bench --envelope 1GiB --help'.
        kms bench --create-rsa measures CreateKey's latency for RSA keys (run 'kms bench --create-rsa --help').
        kms bench --asymmetric-primitive compares the service's Sign/Verify with the bare primitives, in-process
        (run 'kms bench --asymmetric-primitive --help').

        kms bench --create-keys N [--callers 32] creates N keys, prints keys/s as the store grows, then checks that
        ListKeys lists them all: run 'kms bench --create-keys 1 --help'.

        Exit code: 0 when every call succeeded, 1 when a call or the setup failed, 2 for a bad command line.
        """;

    public static readonly string[] AllOperations = ["encrypt", "decrypt", "generate-data-key", "sign", "verify"];

    public static readonly string[] DefaultOperations = ["encrypt", "decrypt", "generate-data-key"];

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:4566");

    public string Region { get; private set; } = "us-east-1";

    public string AccessKey { get; private set; } = "test";

    public string SecretKey { get; private set; } = "test";

    public int Concurrency { get; private set; } = 32;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    public int Keys { get; private set; } = 100;

    public IReadOnlyList<string> Operations { get; private set; } = DefaultOperations;

    public IReadOnlyList<string> SigningSpecs { get; private set; } = Bench.SigningSpecs.All;

    public bool Ceiling { get; private set; } = true;

    public string? JsonFile { get; private set; }

    /// <summary>Parses <paramref name="args"/>; false with a null error means help was asked for.</summary>
    public static bool TryParse(string[] args, [NotNullWhen(true)] out BenchOptions? options, out string? error)
    {
        var o = new BenchOptions();
        options = null;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (name == "--no-ceiling")
            {
                o.Ceiling = false;
                continue;
            }

            if (!IsKnown(name))
            {
                error = $"unknown option {name}.";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return false;
            }

            error = o.Apply(name, args[++i]);
            if (error is not null) return false;
        }

        options = o;
        return true;
    }

    private static bool IsKnown(string name) => name is "--endpoint" or "--region" or "--access-key" or "--secret-key"
        or "--concurrency" or "--duration" or "--warmup" or "--keys" or "--operations" or "--signing-specs" or "--json";

    private string? Apply(string name, string value)
    {
        switch (name)
        {
            case "--endpoint": return SetEndpoint(value);
            case "--region": Region = value; return null;
            case "--access-key": AccessKey = value; return null;
            case "--secret-key": SecretKey = value; return null;
            case "--json": JsonFile = value; return null;
            case "--operations": return SetOperations(value);
            case "--signing-specs": return SetSigningSpecs(value);
            case "--concurrency": return PositiveInt(value, name, 4096, v => Concurrency = v);
            case "--keys": return PositiveInt(value, name, 100_000, v => Keys = v);
            case "--duration": return Time(value, name, allowZero: false, v => Duration = v);
            case "--warmup": return Time(value, name, allowZero: true, v => Warmup = v);
            default: return $"unknown option {name}.";
        }
    }

    private string? SetEndpoint(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"--endpoint takes an http(s) URL, not '{value}'.";
        if (!IsLoopback(uri))
            return $"--endpoint must be a loopback address (127.0.0.1, ::1 or localhost); '{uri.Host}' is not. The bench only loads local services.";
        Endpoint = uri;
        return null;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private string? SetOperations(string value)
    {
        var list = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = list.FirstOrDefault(op => !AllOperations.Contains(op));
        if (list.Length == 0 || unknown is not null)
            return $"--operations takes a comma-separated list of {string.Join(", ", AllOperations)}; '{unknown ?? value}' is not one.";
        Operations = AllOperations.Where(list.Contains).ToArray();
        return null;
    }

    private string? SetSigningSpecs(string value)
    {
        var list = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = list.FirstOrDefault(spec => !Bench.SigningSpecs.All.Contains(spec));
        if (list.Length == 0 || unknown is not null)
            return $"--signing-specs takes a comma-separated list of {string.Join(", ", Bench.SigningSpecs.All)}; '{unknown ?? value}' is not one.";
        SigningSpecs = Bench.SigningSpecs.All.Where(list.Contains).ToArray();
        return null;
    }

    private static string? PositiveInt(string value, string name, int max, Action<int> set)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 && v <= max)
        {
            set(v);
            return null;
        }

        return $"{name} takes a whole number from 1 to {max}.";
    }

    private static string? Time(string value, string name, bool allowZero, Action<TimeSpan> set)
    {
        if (TryParseTime(value, out var time) && (time > TimeSpan.Zero || (allowZero && time == TimeSpan.Zero))
            && time <= TimeSpan.FromHours(1))
        {
            set(time);
            return null;
        }

        return $"{name} takes a time such as 10s, 500ms or 1m (at most 1h), not '{value}'.";
    }

    /// <summary>Reads "10s", "500ms", "2m", "1h" or a bare number of seconds.</summary>
    public static bool TryParseTime(string value, out TimeSpan time)
    {
        time = default;
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : value.EndsWith('h') ? (value[..^1], 3600.0)
            : (value, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
        time = TimeSpan.FromSeconds(n * unit);
        return true;
    }
}
