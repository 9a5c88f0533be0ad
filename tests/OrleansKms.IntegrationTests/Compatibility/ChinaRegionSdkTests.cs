using Amazon.KeyManagementService;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using OrleansKms.IntegrationTests.Infrastructure;
using Kms = Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// A service run in cn-north-1 through the AWS SDK: ARNs in the aws-cn partition, and SM2 keys (SM2DSA signatures
/// checked by BouncyCastle from the public key alone, SM2PKE encryption) as AWS offers them in the China regions.
/// </summary>
public sealed class ChinaRegionSdkTests(ChinaRegionServerFixture fixture) : IClassFixture<ChinaRegionServerFixture>
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();
    private static readonly byte[] Message = "签名的消息 / a message to sign"u8.ToArray();

    [Fact]
    public async Task Keys_and_aliases_have_aws_cn_ARNs_and_an_aws_partition_ARN_is_not_found()
    {
        var key = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest())).KeyMetadata;
        await _kms.CreateAliasAsync(new Kms.CreateAliasRequest { AliasName = "alias/china", TargetKeyId = key.KeyId });

        Assert.Equal($"arn:aws-cn:kms:cn-north-1:000000000000:key/{key.KeyId}", key.Arn);
        var alias = Assert.Single((await _kms.ListAliasesAsync(new Kms.ListAliasesRequest { KeyId = key.KeyId })).Aliases);
        Assert.Equal("arn:aws-cn:kms:cn-north-1:000000000000:alias/china", alias.AliasArn);
        Assert.Equal(key.Arn, (await _kms.DescribeKeyAsync(new Kms.DescribeKeyRequest { KeyId = alias.AliasArn })).KeyMetadata.Arn);
        var wrongPartition = $"arn:aws:kms:cn-north-1:000000000000:key/{key.KeyId}";
        var e = await Assert.ThrowsAsync<Kms.NotFoundException>(() => _kms.DescribeKeyAsync(new Kms.DescribeKeyRequest { KeyId = wrongPartition }));
        Assert.Equal($"Invalid arn {wrongPartition}", e.Message);
    }

    [Fact]
    public async Task Sm2_SIGN_VERIFY_signatures_verify_outside_with_the_public_key_and_a_changed_message_does_not()
    {
        var key = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = "SM2", KeyUsage = "SIGN_VERIFY" })).KeyMetadata;
        var publicKey = await _kms.GetPublicKeyAsync(new Kms.GetPublicKeyRequest { KeyId = key.KeyId });
        var signature = (await _kms.SignAsync(new Kms.SignRequest
        {
            KeyId = key.Arn, Message = new MemoryStream(Message), MessageType = "RAW", SigningAlgorithm = "SM2DSA",
        })).Signature.ToArray();

        Assert.Equal(["SM2DSA"], key.SigningAlgorithms);
        Assert.Equal(["SM2DSA"], publicKey.SigningAlgorithms);
        var verifier = new SM2Signer(); // SM3 and the default distinguishing id 1234567812345678, as AWS uses
        verifier.Init(false, (ECPublicKeyParameters)PublicKeyFactory.CreateKey(publicKey.PublicKey.ToArray()));
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
        verifier.Reset();
        verifier.BlockUpdate(Message, 0, Message.Length - 1);
        Assert.False(verifier.VerifySignature(signature));
        Assert.True((await _kms.VerifyAsync(new Kms.VerifyRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(Message), Signature = new MemoryStream(signature), SigningAlgorithm = "SM2DSA",
        })).SignatureValid);
    }

    [Fact]
    public async Task Sm2_ENCRYPT_DECRYPT_round_trips_with_SM2PKE_and_a_flipped_byte_is_InvalidCiphertextException()
    {
        var key = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = "SM2", KeyUsage = "ENCRYPT_DECRYPT" })).KeyMetadata;
        var ciphertext = (await _kms.EncryptAsync(new Kms.EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = new MemoryStream(Message), EncryptionAlgorithm = "SM2PKE",
        })).CiphertextBlob.ToArray();

        Assert.Equal(["SM2PKE"], key.EncryptionAlgorithms);
        var decrypted = await _kms.DecryptAsync(new Kms.DecryptRequest
        {
            KeyId = key.KeyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = "SM2PKE",
        });
        Assert.Equal(Message, decrypted.Plaintext.ToArray());
        Assert.Equal(key.Arn, decrypted.KeyId);
        ciphertext[^1] ^= 1;
        await Assert.ThrowsAsync<Kms.InvalidCiphertextException>(() => _kms.DecryptAsync(new Kms.DecryptRequest
        {
            KeyId = key.KeyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = "SM2PKE",
        }));
    }
}
