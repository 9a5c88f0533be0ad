using System.Collections.Frozen;
using System.Text.Json;

namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// Request quotas: which quota each request counts against (AWS's quota names), and the rate of each quota, in
/// requests per second per account and Region. <see cref="Aws"/> holds AWS's documented defaults; <see cref="Parse"/>
/// reads custom rates (a JSON object of quota name to rate), under which only the quotas named are enforced.
/// </summary>
/// <remarks>
/// Most operations have a quota of their own, decided by <see cref="QuotaOf"/> before the request is read. The shared
/// cryptographic quotas that AWS splits by the type of key (Encrypt, Decrypt, ReEncrypt, Sign, Verify) and
/// GenerateDataKeyPair's quotas per KeyPairSpec are decided by <see cref="QuotaOfKeyUse"/> once the request is read
/// (<see cref="KeyTypes"/>). Operations with no documented quota are not limited.
/// </remarks>
public sealed class RequestQuotas
{
    public const string Symmetric = "Cryptographic operations (symmetric) request rate";
    public const string Rsa = "Cryptographic operations (RSA) request rate";
    public const string Ecc = "Cryptographic operations (ECC and SM2) request rate";
    public const string MlDsa = "Cryptographic operations (ML-DSA) request rate";

    /// <summary>The ECC quota's name before AWS added SM2 keys to it, still accepted in a custom quota file.</summary>
    private const string EccFormerName = "Cryptographic operations (ECC) request rate";

    /// <summary>Operations whose quota depends on the key they use or the key pair they make: decided once the request is read.</summary>
    private static readonly FrozenSet<string> KeyDependent = new[]
    {
        "Decrypt", "Encrypt", "ReEncrypt", "Sign", "Verify", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The quota of each operation decided by the operation alone (precomputed: no string is made per request).</summary>
    private static readonly FrozenDictionary<string, string> ByOperation = OperationQuotas().ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ByDataKeyPairSpec = AwsQuotaTable.Rates.Keys
        .Where(name => name.StartsWith("GenerateDataKeyPair (", StringComparison.Ordinal))
        .ToFrozenDictionary(name => name["GenerateDataKeyPair (".Length..name.IndexOfAny([')', ' '], "GenerateDataKeyPair (".Length)], StringComparer.Ordinal);

    private readonly FrozenDictionary<string, double> _rates;
    private readonly FrozenDictionary<(string Quota, string Region), double> _byRegion;

    private RequestQuotas(IDictionary<string, double> rates, IDictionary<(string Quota, string Region), double>? byRegion = null)
    {
        _rates = rates.ToFrozenDictionary(StringComparer.Ordinal);
        _byRegion = (byRegion ?? new Dictionary<(string, string), double>()).ToFrozenDictionary();
    }

    /// <summary>Every quota name the service can enforce (what a custom quota file may name).</summary>
    public static IReadOnlyCollection<string> Names => AwsQuotaTable.Rates.Keys;

    /// <summary>AWS's documented default request quotas (<see cref="AwsQuotaTable"/>).</summary>
    public static RequestQuotas Aws() => new(AwsQuotaTable.Rates, AwsQuotaTable.ByRegion);

    /// <summary>Custom rates: a JSON object of quota name to requests per second (a positive number; 0.25 is one in 4 seconds).</summary>
    public static RequestQuotas Parse(string json, string source)
    {
        Dictionary<string, double>? rates;
        try
        {
            rates = JsonSerializer.Deserialize(json, QuotaFileJsonContext.Default.DictionaryStringDouble);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"--quotas {source}: not a JSON object of quota name to requests per second ({e.Message}).");
        }

        if (rates is null) throw new InvalidDataException($"--quotas {source}: not a JSON object of quota name to requests per second.");
        var named = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (given, rate) in rates)
        {
            var name = given == EccFormerName ? Ecc : given;
            if (!AwsQuotaTable.Rates.ContainsKey(name))
                throw new InvalidDataException($"--quotas {source}: '{given}' is not a quota this service enforces; the names are AWS's, e.g. '{Symmetric}', 'CreateKey request rate'.");
            if (!(rate > 0) || double.IsInfinity(rate))
                throw new InvalidDataException($"--quotas {source}: the rate of '{given}' must be a positive number of requests per second.");
            named[name] = rate;
        }

        return new RequestQuotas(named);
    }

    /// <summary>
    /// The quota an operation counts against before its request is read (an AWS quota name), or null when it counts
    /// against none or when the key it uses decides (<see cref="QuotaOfKeyUse"/>).
    /// </summary>
    public static string? QuotaOf(string operation) => ByOperation.GetValueOrDefault(operation);

    /// <summary>
    /// The quota a cryptographic request counts against once the type of its key is known: <paramref name="kind"/> is a
    /// <see cref="KeyTypes"/> value, or for GenerateDataKeyPair(WithoutPlaintext) the KeyPairSpec. Null when none applies.
    /// </summary>
    public static string? QuotaOfKeyUse(string operation, string kind)
    {
        if (operation is "GenerateDataKeyPair" or "GenerateDataKeyPairWithoutPlaintext") return ByDataKeyPairSpec.GetValueOrDefault(kind);
        if (!KeyDependent.Contains(operation)) return null;
        return kind switch
        {
            KeyTypes.Symmetric => Symmetric,
            KeyTypes.Rsa => Rsa,
            KeyTypes.EccOrSm2 => Ecc,
            KeyTypes.MlDsa => MlDsa,
            _ => null,
        };
    }

    /// <summary>The rate of a quota in a Region, in requests per second; null when it is not enforced.</summary>
    public double? RateOf(string quota, string region)
    {
        if (_byRegion.Count > 0 && _byRegion.TryGetValue((quota, region), out var regional)) return regional;
        return _rates.TryGetValue(quota, out var rate) ? rate : null;
    }

    private static Dictionary<string, string> OperationQuotas()
    {
        var quotas = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var operation in new[] { "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "VerifyMac", "GenerateRandom" })
            quotas[operation] = Symmetric;
        quotas["DeriveSharedSecret"] = Ecc; // only ECC and SM2 keys agree keys
        const string suffix = " request rate";
        foreach (var name in AwsQuotaTable.Rates.Keys)
        {
            var operation = name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : "";
            if (operation.Length > 0 && !operation.Contains(' ', StringComparison.Ordinal) && !KeyDependent.Contains(operation)) quotas[operation] = name;
        }

        return quotas;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, double>))]
internal sealed partial class QuotaFileJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
