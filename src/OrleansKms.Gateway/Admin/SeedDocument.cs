using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OrleansKms.Gateway.Admin;

/// <summary>
/// A development seed: the keys a test environment starts with, each with a fixed id (YAML, or JSON, which is
/// YAML too). Example:
/// <code>
/// keys:
///   - id: 0b6f1a37-5e4a-4f0e-9d52-6a8c3c1e2f10
///     description: orders
///     aliases: [alias/orders]
///     tags: { team: red }
///     material: 2ZtuYWe6jB8n2F6AqNS0sW8aB0yVvQ3Xl6wJ7cG1f0s=   # base64; optional
///   - id: 6a3f5c1e-0d2b-4c8a-9e7f-1b2c3d4e5f60
///     keySpec: ECC_NIST_P256
///     keyUsage: SIGN_VERIFY
/// </code>
/// </summary>
public sealed class SeedDocument
{
    public List<SeedKey> Keys { get; set; } = [];

    /// <summary>Parses a seed; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">Not a seed document.</exception>
    public static SeedDocument Parse(string text, string source)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        try
        {
            return deserializer.Deserialize<SeedDocument?>(text) ?? new SeedDocument();
        }
        catch (YamlException e)
        {
            var where = e.Start.Line > 0 ? $" (line {e.Start.Line}, column {e.Start.Column})" : "";
            throw new InvalidDataException($"{source}{where}: {(e.InnerException ?? e).Message}");
        }
    }
}

/// <summary>One key of a seed. Only <see cref="Id"/> is required; the rest defaults as CreateKey does.</summary>
public sealed class SeedKey
{
    /// <summary>The key id (a lower-case UUID).</summary>
    public string? Id { get; set; }

    /// <summary>The owning account. Default: the account of the first identity (000000000000 for the development one).</summary>
    public string? Account { get; set; }

    public string? Description { get; set; }

    public string? KeySpec { get; set; }

    public string? KeyUsage { get; set; }

    /// <summary>
    /// The key material, base64: 32 bytes for SYMMETRIC_DEFAULT, the HMAC key for HMAC specs, a PKCS#8 private key
    /// (base64 DER, or PEM) for asymmetric specs. Default: new material.
    /// </summary>
    public string? Material { get; set; }

    /// <summary>False creates the key disabled. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Turns on automatic rotation with this period (90 to 2560 days).</summary>
    public int? RotationPeriodInDays { get; set; }

    public List<string> Aliases { get; set; } = [];

    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>The key policy, as JSON text. Default: AWS's default key policy.</summary>
    public string? Policy { get; set; }
}
