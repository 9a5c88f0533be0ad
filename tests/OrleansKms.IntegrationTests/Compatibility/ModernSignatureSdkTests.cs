using Amazon.KeyManagementService;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using OrleansKms.IntegrationTests.Infrastructure;
using Kms = Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Ed25519, ML-DSA and the SM2 region rule through the AWS SDK; signatures checked by BouncyCastle verifiers built
/// only from the public key GetPublicKey returns.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ModernSignatureSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();
    private static readonly byte[] Message = "a message to sign"u8.ToArray();

    private async Task<(string KeyId, AsymmetricKeyParameter PublicKey)> CreateAsync(string spec)
    {
        var key = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = spec, KeyUsage = "SIGN_VERIFY" })).KeyMetadata;
        var spki = (await _kms.GetPublicKeyAsync(new Kms.GetPublicKeyRequest { KeyId = key.KeyId })).PublicKey.ToArray();
        return (key.KeyId, PublicKeyFactory.CreateKey(spki));
    }

    private async Task<byte[]> SignAsync(string keyId, string algorithm, byte[] message, MessageType? type = null) =>
        (await _kms.SignAsync(new Kms.SignRequest
        {
            KeyId = keyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm, MessageType = type ?? MessageType.RAW,
        })).Signature.ToArray();

    [Fact]
    public async Task Ed25519_signatures_verify_outside_and_a_changed_message_does_not()
    {
        var (keyId, publicKey) = await CreateAsync("ECC_NIST_EDWARDS25519");
        var signature = await SignAsync(keyId, "ED25519_SHA_512", Message);

        var verifier = new Ed25519Signer();
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(Message, 1, Message.Length - 1);
        Assert.False(verifier.VerifySignature(signature));
        Assert.True((await _kms.VerifyAsync(new Kms.VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(Message), Signature = new MemoryStream(signature), SigningAlgorithm = "ED25519_SHA_512",
        })).SignatureValid);
    }

    [Theory]
    [InlineData("ML_DSA_44")]
    [InlineData("ML_DSA_65")]
    [InlineData("ML_DSA_87")]
    public async Task Ml_dsa_signatures_verify_outside(string spec)
    {
        var (keyId, publicKey) = await CreateAsync(spec);
        var signature = await SignAsync(keyId, "ML_DSA_SHAKE_256", Message);

        var verifier = new MLDsaSigner(((MLDsaPublicKeyParameters)publicKey).Parameters, deterministic: false);
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
        signature[10] ^= 1;
        await Assert.ThrowsAsync<Kms.KMSInvalidSignatureException>(() => _kms.VerifyAsync(new Kms.VerifyRequest
        {
            KeyId = keyId, Message = new MemoryStream(Message), Signature = new MemoryStream(signature), SigningAlgorithm = "ML_DSA_SHAKE_256",
        }));
    }

    [Fact]
    public async Task Sm2_is_refused_outside_the_China_regions_as_AWS_refuses_it()
    {
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = "SM2", KeyUsage = "SIGN_VERIFY" }));
        Assert.Equal("ValidationException", e.ErrorCode);
    }
}
