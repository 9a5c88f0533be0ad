using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Cli;
using OrleansKms.IntegrationTests.Infrastructure;
using OrleansKms.KeyStores;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Custom key stores of type AWS_CLOUDHSM on a PKCS#11 token (SoftHSM2) through the AWS SDK: the store's
/// CloudHsmClusterId is the token's label and its KeyStorePassword the token's user PIN. Keys are made inside the
/// token, non-extractable, and encrypt and decrypt there; the store's connection states and rules are AWS's.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class CustomKeyStoreSdkTests(KmsServerFixture fixture)
{
    private const string Password = "kmsuser-pin-1234";
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    /// <summary>A new SoftHSM2 token whose label is a CloudHSM cluster id (cluster-, then 11 to 16 of [2-7a-zA-Z]).</summary>
    internal static string NewCluster()
    {
        SoftHsmTestTokens.RequireInstalled();
        SoftHsm.EnsureConfigured(Path.Combine(Path.GetTempPath(), "orleanskms-softhsm", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var cluster = "cluster-" + new string(RandomNumberGenerator.GetItems<char>(alphabet, 14));
        SoftHsm.CreateToken(cluster, "so-pin-5678", Password);
        return cluster;
    }

    internal static string TrustAnchor()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=test trust anchor", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return certificate.ExportCertificatePem();
    }

    private async Task<string> NewStoreAsync(string cluster, string? name = null, string password = Password) =>
        (await _kms.CreateCustomKeyStoreAsync(new CreateCustomKeyStoreRequest
        {
            CustomKeyStoreName = name ?? "hsm-" + Guid.NewGuid().ToString("N"),
            CloudHsmClusterId = cluster,
            TrustAnchorCertificate = TrustAnchor(),
            KeyStorePassword = password,
        })).CustomKeyStoreId;

    private async Task<CustomKeyStoresListEntry> StoreAsync(string storeId) =>
        Assert.Single((await _kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = storeId })).CustomKeyStores);

    private async Task<string> NewHsmKeyAsync(string storeId) =>
        (await _kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.AWS_CLOUDHSM, CustomKeyStoreId = storeId })).KeyMetadata.KeyId;

    [Fact]
    public async Task A_key_is_made_in_the_token_non_extractable_and_encrypts_and_decrypts_there()
    {
        var cluster = NewCluster();
        var storeId = await NewStoreAsync(cluster);
        Assert.Equal(ConnectionStateType.DISCONNECTED, (await StoreAsync(storeId)).ConnectionState);
        await Sdk.Throws<CustomKeyStoreInvalidStateException>(() => NewHsmKeyAsync(storeId));

        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        var keyId = await NewHsmKeyAsync(storeId);
        var context = new Dictionary<string, string> { ["purpose"] = "hsm" };
        var ciphertext = await _kms.EncryptAsync(keyId, "in the token"u8.ToArray(), context);
        var dataKey = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 });

        var store = await StoreAsync(storeId);
        Assert.Equal((ConnectionStateType.CONNECTED, CustomKeyStoreType.AWS_CLOUDHSM, cluster), (store.ConnectionState, store.CustomKeyStoreType, store.CloudHsmClusterId));
        var metadata = await _kms.DescribeAsync(keyId);
        Assert.Equal((OriginType.AWS_CLOUDHSM, storeId, cluster), (metadata.Origin, metadata.CustomKeyStoreId, metadata.CloudHsmClusterId));
        Assert.Equal("in the token"u8.ToArray(), await _kms.DecryptAsync(ciphertext, context: context));
        Assert.Equal(dataKey.Plaintext.ToArray(), await _kms.DecryptAsync(dataKey.CiphertextBlob.ToArray()));
        await Sdk.Throws<InvalidCiphertextException>(() => _kms.DecryptAsync(ciphertext, context: new() { ["purpose"] = "other" }));
        await Sdk.Throws<InvalidCiphertextException>(() => _kms.DecryptAsync(Flipped(ciphertext, ciphertext.Length - 3), context: context));
        using var token = Pkcs11Tokens.Open(Pkcs11Tokens.SoftHsmModule!, cluster, Password);
        var inToken = Assert.Single(token.Keys(), k => k.Label == keyId);
        Assert.Equal((32, false, true, true), (inToken.ValueLength, inToken.Extractable, inToken.Sensitive, inToken.NeverExtractable));
        Assert.Equal(32, (await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32, CustomKeyStoreId = storeId })).Plaintext.Length);
    }

    private static byte[] Flipped(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x01;
        return copy;
    }

    [Fact]
    public async Task While_the_store_is_disconnected_its_keys_are_Unavailable_and_come_back_with_it()
    {
        var storeId = await NewStoreAsync(NewCluster());
        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        var keyId = await NewHsmKeyAsync(storeId);
        var ciphertext = await _kms.EncryptAsync(keyId, [4, 2]);

        await _kms.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });

        Assert.Equal(KeyState.Unavailable, (await _kms.DescribeAsync(keyId)).KeyState);
        var arn = (await _kms.DescribeAsync(keyId)).Arn;
        await Sdk.Throws<KMSInvalidStateException>(() => _kms.EncryptAsync(keyId, [1]), $"{arn} is unavailable.");
        await Sdk.Throws<KMSInvalidStateException>(() => _kms.DecryptAsync(ciphertext));
        await Sdk.Throws<CustomKeyStoreHasCMKsException>(() => _kms.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = storeId }));
        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeAsync(keyId)).KeyState);
        Assert.Equal([4, 2], await _kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task A_wrong_password_leaves_the_store_FAILED_with_INVALID_CREDENTIALS_until_it_is_updated()
    {
        var storeId = await NewStoreAsync(NewCluster(), password: "not-the-pin");

        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });

        var failed = await StoreAsync(storeId);
        Assert.Equal((ConnectionStateType.FAILED, ConnectionErrorCodeType.INVALID_CREDENTIALS), (failed.ConnectionState, failed.ConnectionErrorCode));
        await Sdk.Throws<CustomKeyStoreInvalidStateException>(() =>
            _kms.UpdateCustomKeyStoreAsync(new UpdateCustomKeyStoreRequest { CustomKeyStoreId = storeId, KeyStorePassword = Password }));
        await _kms.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        await _kms.UpdateCustomKeyStoreAsync(new UpdateCustomKeyStoreRequest { CustomKeyStoreId = storeId, KeyStorePassword = Password });
        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        Assert.Equal(ConnectionStateType.CONNECTED, (await StoreAsync(storeId)).ConnectionState);
    }

    [Fact]
    public async Task Store_rules_unknown_cluster_cluster_and_name_in_use_bad_trust_anchor_and_deletion()
    {
        var cluster = NewCluster();
        var name = "named-" + Guid.NewGuid().ToString("N");
        var storeId = await NewStoreAsync(cluster, name);

        await Sdk.Throws<CloudHsmClusterNotFoundException>(() => NewStoreAsync("cluster-abcdefghijkmn"));
        await Sdk.Throws<CloudHsmClusterInUseException>(() => NewStoreAsync(cluster));
        await Sdk.Throws<CustomKeyStoreNameInUseException>(() => NewStoreAsync(NewCluster(), name));
        await Sdk.Throws<IncorrectTrustAnchorException>(() => _kms.CreateCustomKeyStoreAsync(new CreateCustomKeyStoreRequest
        {
            CustomKeyStoreName = "bad-anchor", CloudHsmClusterId = NewCluster(), TrustAnchorCertificate = "not a certificate", KeyStorePassword = Password,
        }));
        Assert.Equal(storeId, Assert.Single((await _kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreName = name })).CustomKeyStores).CustomKeyStoreId);
        await _kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        await Sdk.Throws<CustomKeyStoreInvalidStateException>(() => _kms.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = storeId }));
        await _kms.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        await _kms.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = storeId });
        await Sdk.Throws<CustomKeyStoreNotFoundException>(() => _kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = storeId }));
        await NewStoreAsync(cluster); // the cluster is free again
    }
}
