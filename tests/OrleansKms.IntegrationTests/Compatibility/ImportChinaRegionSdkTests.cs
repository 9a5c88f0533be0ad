using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>SM2 wrapping keys (WrappingKeySpec SM2, SM2PKE), which AWS offers in its China Regions.</summary>
public sealed class ImportChinaRegionSdkTests(ChinaRegionServerFixture fixture) : IClassFixture<ChinaRegionServerFixture>
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task Symmetric_material_wrapped_with_SM2PKE_imports_and_round_trips()
    {
        var key = await _kms.NewExternalKeyAsync();
        var p = await _kms.ParametersAsync(key.KeyId, "SM2PKE", "SM2");

        await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "SM2PKE", "SM2");

        Assert.StartsWith("arn:aws-cn:", p.KeyId);
        var blob = await _kms.EncryptAsync(key.KeyId, [9]);
        Assert.Equal(new byte[] { 9 }, await _kms.DecryptAsync(blob));
    }

    [Fact]
    public async Task An_imported_SM2_signing_key_gives_signatures_the_tests_own_public_key_verifies()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.ECKeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.ECKeyGenerationParameters(
            Org.BouncyCastle.Asn1.GM.GMObjectIdentifiers.sm2p256v1, new Org.BouncyCastle.Security.SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var pkcs8 = Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded();
        var key = await _kms.NewExternalKeyAsync("SM2", "SIGN_VERIFY");
        await _kms.ImportAsync(key.KeyId, pkcs8, "SM2PKE", "SM2");
        var message = "国密 imported"u8.ToArray();

        var signature = await _kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = "SM2DSA" });

        var verifier = new Org.BouncyCastle.Crypto.Signers.SM2Signer();
        verifier.Init(false, new Org.BouncyCastle.Crypto.Parameters.ParametersWithID(pair.Public, "1234567812345678"u8.ToArray()));
        verifier.BlockUpdate(message, 0, message.Length);
        Assert.True(verifier.VerifySignature(signature.Signature.ToArray()));
    }
}
