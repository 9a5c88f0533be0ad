using System.Reflection;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Signers;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// Lets BouncyCastle's <see cref="MLDsaSigner"/> sign or verify a caller's mu (FIPS 204 6.2, "external mu").
/// BouncyCastle 2.7.0 computes mu inside the signer, in a SHAKE256 message-representative digest that it squeezes
/// once for mu and then reuses for rho' and the challenge; it has no public entry for a given mu. So after Init
/// the signer's digest is swapped for one whose first squeeze yields the given mu and which then behaves as plain
/// SHAKE256. Everything else (ML-DSA.Sign_internal / Verify_internal) stays BouncyCastle's. The field is private:
/// a BouncyCastle upgrade that renames it fails loudly here, and the EXTERNAL_MU tests (mu signatures verify as RAW
/// ones) catch any change of behaviour.
/// </summary>
internal static class MlDsaExternalMu
{
    private static readonly FieldInfo? DigestField =
        typeof(MLDsaSigner).GetField("m_msgRepDigest", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>Call after Init and instead of BlockUpdate; then GenerateSignature or VerifySignature.</summary>
    public static void Inject(MLDsaSigner signer, ReadOnlySpan<byte> mu)
    {
        if (DigestField?.FieldType != typeof(ShakeDigest))
            throw new InvalidOperationException("This BouncyCastle version's MLDsaSigner has no message-representative digest to take an external mu.");
        DigestField.SetValue(signer, new MuDigest(mu.ToArray()));
    }

    /// <summary>SHAKE256 whose first final output is the given mu (and which resets, as a squeezed SHAKE does).</summary>
    private sealed class MuDigest(byte[] mu) : ShakeDigest(256)
    {
        private byte[]? _mu = mu;

        public override int OutputFinal(byte[] output, int outOff, int outLen) =>
            _mu is null ? base.OutputFinal(output, outOff, outLen) : TakeMu(output.AsSpan(outOff, outLen));

        public override int OutputFinal(Span<byte> output) => _mu is null ? base.OutputFinal(output) : TakeMu(output);

        public override int DoFinal(byte[] output, int outOff) =>
            _mu is null ? base.DoFinal(output, outOff) : TakeMu(output.AsSpan(outOff, GetDigestSize()));

        public override int DoFinal(Span<byte> output) => _mu is null ? base.DoFinal(output) : TakeMu(output[..GetDigestSize()]);

        private int TakeMu(Span<byte> output)
        {
            if (output.Length != _mu!.Length) throw new InvalidOperationException("ML-DSA squeezed mu at an unexpected length.");
            _mu.CopyTo(output);
            _mu = null;
            Reset();
            return output.Length;
        }
    }
}
