using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Imported material of the key specs .NET has no primitive for, checked outside the service with BouncyCastle: an
/// HMAC_224 secret gives the test's own MAC; ML-DSA and Ed25519 private keys sign what the test's own public key verifies.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ImportPostQuantumSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();
    private static readonly byte[] Message = "imported, then used"u8.ToArray();

    [Fact]
    public async Task An_imported_HMAC_224_key_gives_the_MAC_BouncyCastle_gives()
    {
        var key = await _kms.NewExternalKeyAsync("HMAC_224", "GENERATE_VERIFY_MAC");
        var secret = RandomNumberGenerator.GetBytes(28);
        await _kms.ImportAsync(key.KeyId, secret);

        var mac = await _kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, MacAlgorithm = "HMAC_SHA_224", Message = new MemoryStream(Message) });

        var hmac = new HMac(new Sha224Digest());
        hmac.Init(new KeyParameter(secret));
        hmac.BlockUpdate(Message, 0, Message.Length);
        var expected = new byte[hmac.GetMacSize()];
        hmac.DoFinal(expected, 0);
        Assert.Equal(expected, mac.Mac.ToArray());
    }

    [Fact]
    public async Task A_signature_by_an_imported_ML_DSA_44_private_key_verifies_with_the_tests_own_public_key()
    {
        var generator = new MLDsaKeyPairGenerator();
        generator.Init(new MLDsaKeyGenerationParameters(new SecureRandom(), MLDsaParameters.ml_dsa_44));
        var pair = generator.GenerateKeyPair();
        var key = await _kms.NewExternalKeyAsync("ML_DSA_44", "SIGN_VERIFY");
        await _kms.ImportAsync(key.KeyId, PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded(), "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096");

        var signature = (await _kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(Message), MessageType = MessageType.RAW, SigningAlgorithm = "ML_DSA_SHAKE_256",
        })).Signature.ToArray();

        var verifier = new MLDsaSigner(MLDsaParameters.ml_dsa_44, deterministic: false);
        verifier.Init(false, pair.Public);
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
    }

    [Fact]
    public async Task A_signature_by_an_imported_Ed25519_private_key_verifies_with_the_tests_own_public_key()
    {
        var privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        var key = await _kms.NewExternalKeyAsync("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
        await _kms.ImportAsync(key.KeyId, PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded(), "RSA_AES_KEY_WRAP_SHA_256");

        var signature = (await _kms.SignAsync(new SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(Message), MessageType = MessageType.RAW, SigningAlgorithm = "ED25519_SHA_512",
        })).Signature.ToArray();

        var verifier = new Ed25519Signer();
        verifier.Init(false, privateKey.GeneratePublicKey());
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
    }
}
