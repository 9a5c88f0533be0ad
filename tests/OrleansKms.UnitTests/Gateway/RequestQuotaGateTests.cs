using Microsoft.Extensions.Time.Testing;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Quotas;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>Request quotas (<c>--quotas</c>): token buckets per account, Region and quota, on a fake clock.</summary>
public sealed class RequestQuotaGateTests
{
    private const string FiveSymmetric = """{"Cryptographic operations (symmetric) request rate": 5}""";
    private static readonly KmsIdentity Alice = KmsIdentity.Development;
    private static readonly KmsIdentity Bob = new("bob", "bob", "111122223333", "arn:aws:iam::111122223333:root");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private RequestQuotaGate Gate(RequestQuotas quotas) => new(quotas, _clock);

    private static void AssertThrottled(Action admit)
    {
        var e = Assert.Throws<KmsException>(admit);
        Assert.Equal(KmsErrorCode.ThrottlingException, e.Code);
        Assert.Equal("You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.", e.Message);
    }

    [Fact]
    public void The_request_over_the_quota_is_throttled_and_the_clock_refills_it()
    {
        var gate = Gate(RequestQuotas.Parse(FiveSymmetric, "test"));

        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "GenerateDataKey");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "GenerateDataKey"));

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        gate.Admit("us-east-1", Alice, "GenerateDataKey");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "GenerateDataKey"));

        _clock.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "GenerateDataKey");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "GenerateDataKey"));
    }

    [Fact]
    public void The_symmetric_quota_is_shared_by_its_operations()
    {
        var gate = Gate(RequestQuotas.Parse(FiveSymmetric, "test"));

        foreach (var operation in new[] { "GenerateDataKey", "GenerateMac", "GenerateRandom" })
            gate.Admit("us-east-1", Alice, operation);
        gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Encrypt", KeyTypes.Symmetric);
        gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Decrypt", KeyTypes.Symmetric);

        AssertThrottled(() => gate.AdmitKeyUse("us-east-1", Alice.AccountId, "ReEncrypt", KeyTypes.Symmetric));
    }

    [Fact]
    public void Each_account_and_each_Region_has_its_own_allowance()
    {
        var gate = Gate(RequestQuotas.Parse(FiveSymmetric, "test"));
        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "GenerateDataKey");

        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Bob, "GenerateDataKey");
        for (var i = 0; i < 5; i++) gate.Admit("eu-west-1", Alice, "GenerateDataKey");

        AssertThrottled(() => gate.Admit("us-east-1", Bob, "GenerateDataKey"));
        AssertThrottled(() => gate.Admit("eu-west-1", Alice, "GenerateDataKey"));
    }

    [Fact]
    public void A_custom_file_enforces_only_the_quotas_it_names()
    {
        var gate = Gate(RequestQuotas.Parse(FiveSymmetric, "test"));

        for (var i = 0; i < 100; i++) gate.Admit("us-east-1", Alice, "CreateKey");

        Assert.Null(RequestQuotas.Parse(FiveSymmetric, "test").RateOf("CreateKey request rate", "us-east-1"));
    }

    [Fact]
    public void AWS_quotas_limit_CreateKey_to_5_a_second()
    {
        var gate = Gate(RequestQuotas.Aws());

        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "CreateKey");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "CreateKey"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        gate.Admit("us-east-1", Alice, "CreateKey");
    }

    [Fact]
    public void A_quota_below_one_a_second_admits_one_per_interval()
    {
        var gate = Gate(RequestQuotas.Parse("""{"GetParametersForImport request rate": 0.25}""", "test"));

        gate.Admit("us-east-1", Alice, "GetParametersForImport");
        _clock.Advance(TimeSpan.FromSeconds(3.9));
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "GetParametersForImport"));
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        gate.Admit("us-east-1", Alice, "GetParametersForImport");
    }

    [Theory]
    [InlineData(RequestQuotas.Symmetric, "us-east-1", 100_000)]
    [InlineData(RequestQuotas.Symmetric, "us-east-2", 20_000)]
    [InlineData(RequestQuotas.Symmetric, "eu-central-1", 20_000)]
    [InlineData(RequestQuotas.Symmetric, "sa-east-1", 10_000)]
    [InlineData("GenerateDataKeyPair (RSA_2048) request rate", "us-east-1", 20)]
    [InlineData("GenerateDataKeyPair (RSA_2048) request rate", "cn-north-1", 1)]
    [InlineData("GenerateDataKeyPair (RSA_4096) request rate", "cn-northwest-1", 0.1)]
    public void AWS_quotas_that_depend_on_the_Region(string quota, string region, double rate)
    {
        Assert.Equal(rate, RequestQuotas.Aws().RateOf(quota, region));
    }

    [Theory]
    [InlineData("GenerateRandom", RequestQuotas.Symmetric)]
    [InlineData("GenerateDataKey", RequestQuotas.Symmetric)]
    [InlineData("VerifyMac", RequestQuotas.Symmetric)]
    [InlineData("DeriveSharedSecret", RequestQuotas.Ecc)]
    [InlineData("CreateKey", "CreateKey request rate")]
    [InlineData("GetKeyLastUsage", "GetKeyLastUsage request rate")]
    [InlineData("Encrypt", null)]
    [InlineData("Sign", null)]
    [InlineData("GenerateDataKeyPair", null)]
    public void Before_the_request_is_read_the_operation_decides_its_quota_unless_the_key_does(string operation, string? quota)
    {
        Assert.Equal(quota, RequestQuotas.QuotaOf(operation));
    }

    [Theory]
    [InlineData("Encrypt", null, RequestQuotas.Symmetric)]
    [InlineData("Encrypt", "RSAES_OAEP_SHA_256", RequestQuotas.Rsa)]
    [InlineData("Decrypt", "SM2PKE", RequestQuotas.Ecc)]
    [InlineData("ReEncrypt", "SYMMETRIC_DEFAULT", RequestQuotas.Symmetric)]
    public void Encryption_counts_against_the_quota_of_the_type_of_key_its_algorithm_needs(string operation, string? algorithm, string quota)
    {
        Assert.Equal(quota, RequestQuotas.QuotaOfKeyUse(operation, KeyTypes.OfEncryptionAlgorithm(algorithm)));
    }

    [Theory]
    [InlineData("RSASSA_PSS_SHA_256", RequestQuotas.Rsa)]
    [InlineData("RSASSA_PKCS1_V1_5_SHA_512", RequestQuotas.Rsa)]
    [InlineData("ECDSA_SHA_384", RequestQuotas.Ecc)]
    [InlineData("ED25519_SHA_512", RequestQuotas.Ecc)]
    [InlineData("SM2DSA", RequestQuotas.Ecc)]
    [InlineData("ML_DSA_SHAKE_256", RequestQuotas.MlDsa)]
    public void Signatures_count_against_the_quota_of_the_type_of_key_their_algorithm_needs(string algorithm, string quota)
    {
        Assert.Equal(quota, RequestQuotas.QuotaOfKeyUse("Sign", KeyTypes.OfSigningAlgorithm(algorithm)));
        Assert.Equal(quota, RequestQuotas.QuotaOfKeyUse("Verify", KeyTypes.OfSigningAlgorithm(algorithm)));
    }

    [Theory]
    [InlineData("RSA_2048", "GenerateDataKeyPair (RSA_2048) request rate")]
    [InlineData("RSA_4096", "GenerateDataKeyPair (RSA_4096) request rate")]
    [InlineData("ECC_NIST_EDWARDS25519", "GenerateDataKeyPair (ECC_NIST_EDWARDS25519) request rate")]
    [InlineData("SM2", "GenerateDataKeyPair (SM2 — China Regions only) request rate")]
    public void A_data_key_pair_counts_against_the_quota_of_its_KeyPairSpec(string spec, string quota)
    {
        Assert.Equal(quota, RequestQuotas.QuotaOfKeyUse("GenerateDataKeyPair", spec));
        Assert.Equal(quota, RequestQuotas.QuotaOfKeyUse("GenerateDataKeyPairWithoutPlaintext", spec));
    }

    [Fact]
    public void Every_data_key_pair_spec_and_every_operation_has_an_AWS_quota()
    {
        foreach (var spec in OrleansKms.Gateway.Protocol.ModelEnums.DataKeyPairSpec)
            Assert.NotNull(RequestQuotas.QuotaOfKeyUse("GenerateDataKeyPair", spec));

        var keyDependent = new[] { "Encrypt", "Decrypt", "ReEncrypt", "Sign", "Verify", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext" };
        var unlimited = OrleansKms.Gateway.Operations.OperationTable.Implemented.Keys
            .Where(operation => !keyDependent.Contains(operation))
            .Where(operation => RequestQuotas.QuotaOf(operation) is not { } quota || RequestQuotas.Aws().RateOf(quota, "us-east-1") is null);
        Assert.Empty(unlimited);
    }

    [Fact]
    public void RSA_key_use_is_throttled_at_the_RSA_quota_while_symmetric_keys_still_pass()
    {
        var gate = Gate(RequestQuotas.Parse("""{"Cryptographic operations (RSA) request rate": 2, "Cryptographic operations (symmetric) request rate": 3}""", "test"));

        gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Encrypt", KeyTypes.Rsa);
        gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Sign", KeyTypes.Rsa);
        AssertThrottled(() => gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Decrypt", KeyTypes.Rsa));

        for (var i = 0; i < 3; i++) gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Encrypt", KeyTypes.Symmetric);
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "GenerateDataKey"));
        gate.AdmitKeyUse("us-east-1", Alice.AccountId, "Sign", KeyTypes.EccOrSm2); // not named in the file: not limited
    }

    [Fact]
    public void Data_key_pairs_are_throttled_per_KeyPairSpec_at_AWS_rates()
    {
        var gate = Gate(RequestQuotas.Aws());

        for (var i = 0; i < 20; i++) gate.AdmitKeyUse("us-east-1", Alice.AccountId, "GenerateDataKeyPair", "RSA_2048");
        AssertThrottled(() => gate.AdmitKeyUse("us-east-1", Alice.AccountId, "GenerateDataKeyPairWithoutPlaintext", "RSA_2048"));
        gate.AdmitKeyUse("us-east-1", Alice.AccountId, "GenerateDataKeyPair", "ECC_NIST_P256");

        gate.AdmitKeyUse("cn-north-1", Alice.AccountId, "GenerateDataKeyPair", "RSA_2048");
        AssertThrottled(() => gate.AdmitKeyUse("cn-north-1", Alice.AccountId, "GenerateDataKeyPair", "RSA_2048"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        gate.AdmitKeyUse("cn-north-1", Alice.AccountId, "GenerateDataKeyPair", "RSA_2048");
    }

    [Fact]
    public void A_custom_file_may_name_the_ECC_quota_by_its_former_name()
    {
        var quotas = RequestQuotas.Parse("""{"Cryptographic operations (ECC) request rate": 7}""", "test");

        Assert.Equal(7, quotas.RateOf(RequestQuotas.Ecc, "us-east-1"));
    }

    [Theory]
    [InlineData("""{"Encrypt request rate": 5}""", "'Encrypt request rate' is not a quota this service enforces")]
    [InlineData("""{"CreateKey request rate": 0}""", "the rate of 'CreateKey request rate' must be a positive number")]
    [InlineData("""[1, 2]""", "not a JSON object of quota name to requests per second")]
    public void A_bad_quota_file_stops_the_start_with_what_is_wrong(string json, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => RequestQuotas.Parse(json, "quotas.json"));

        Assert.Contains("--quotas quotas.json: " + problem, e.Message, StringComparison.Ordinal);
    }
}
