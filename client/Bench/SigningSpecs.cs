using OrleansKms.Crypto.Keys;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// The SIGN_VERIFY key specs the bench measures, each with the first signing algorithm AWS lists for it (RSA: PSS
/// with SHA-256; each curve its own hash; Ed25519 pure EdDSA; ML-DSA its only one), from the service's own key spec
/// table. Specs AWS offers only in China Regions (SM2) are left out.
/// </summary>
internal static class SigningSpecs
{
    private static readonly KeySpecInfo[] Signing =
        [.. KeySpecCatalog.All.Where(s => s.KeyUsages.Contains(KmsNames.SignVerify) && !s.ChinaRegionsOnly)];

    public static IReadOnlyList<string> All { get; } = Signing.Select(s => s.KeySpec).ToArray();

    public static string Algorithm(string spec) => Signing.First(s => s.KeySpec == spec).SigningAlgorithms(KmsNames.SignVerify)[0];
}
