using System.Collections.Frozen;
using System.Text.Json;

namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// Request quotas: which quota each operation counts against (AWS's quota names), and the rate of each quota, in
/// requests per second per account and Region. <see cref="Aws"/> holds AWS's documented defaults; <see cref="Parse"/>
/// reads custom rates (a JSON object of quota name to rate), under which only the quotas named are enforced.
/// </summary>
/// <remarks>
/// The gate decides from the operation alone (it runs before the request is read), so the quotas that AWS splits by
/// key type are approximated: Encrypt, Decrypt and ReEncrypt count against the symmetric quota whatever the key,
/// Sign and Verify against the RSA quota, DeriveSharedSecret against the ECC quota; GenerateDataKeyPair's quotas
/// (per KeyPairSpec) are not enforced. Operations with no documented quota are not limited.
/// </remarks>
public sealed class RequestQuotas
{
    public const string Symmetric = "Cryptographic operations (symmetric) request rate";
    public const string Rsa = "Cryptographic operations (RSA) request rate";
    public const string Ecc = "Cryptographic operations (ECC) request rate";

    private static readonly FrozenSet<string> SharedSymmetric = new[]
    {
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GenerateRandom", "ReEncrypt", "VerifyMac",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, double> _rates;
    private readonly FrozenDictionary<string, double> _symmetricByRegion;

    private RequestQuotas(IDictionary<string, double> rates, IDictionary<string, double>? symmetricByRegion = null)
    {
        _rates = rates.ToFrozenDictionary(StringComparer.Ordinal);
        _symmetricByRegion = (symmetricByRegion ?? new Dictionary<string, double>()).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every quota name the service can enforce (what a custom quota file may name).</summary>
    public static IReadOnlyCollection<string> Names => AwsQuotaTable.Rates.Keys;

    /// <summary>AWS's documented default request quotas (<see cref="AwsQuotaTable"/>).</summary>
    public static RequestQuotas Aws() => new(AwsQuotaTable.Rates, AwsQuotaTable.SymmetricByRegion);

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
        foreach (var (name, rate) in rates)
        {
            if (!AwsQuotaTable.Rates.ContainsKey(name))
                throw new InvalidDataException($"--quotas {source}: '{name}' is not a quota this service enforces; the names are AWS's, e.g. '{Symmetric}', 'CreateKey request rate'.");
            if (!(rate > 0) || double.IsInfinity(rate))
                throw new InvalidDataException($"--quotas {source}: the rate of '{name}' must be a positive number of requests per second.");
        }

        return new RequestQuotas(rates);
    }

    /// <summary>The quota an operation counts against (an AWS quota name), or null when it counts against none.</summary>
    public static string? QuotaOf(string operation) => operation switch
    {
        _ when SharedSymmetric.Contains(operation) => Symmetric,
        "Sign" or "Verify" => Rsa,
        "DeriveSharedSecret" => Ecc,
        "GenerateDataKeyPair" or "GenerateDataKeyPairWithoutPlaintext" => null,
        _ => operation + " request rate",
    };

    /// <summary>The rate of a quota in a Region, in requests per second; null when it is not enforced.</summary>
    public double? RateOf(string quota, string region)
    {
        if (quota == Symmetric && _symmetricByRegion.TryGetValue(region, out var regional)) return regional;
        return _rates.TryGetValue(quota, out var rate) ? rate : null;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, double>))]
internal sealed partial class QuotaFileJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
