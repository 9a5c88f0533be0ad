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

        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "Encrypt");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "Encrypt"));

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        gate.Admit("us-east-1", Alice, "Encrypt");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "Encrypt"));

        _clock.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "Encrypt");
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "Encrypt"));
    }

    [Fact]
    public void The_symmetric_quota_is_shared_by_its_operations()
    {
        var gate = Gate(RequestQuotas.Parse(FiveSymmetric, "test"));

        foreach (var operation in new[] { "Encrypt", "Decrypt", "GenerateDataKey", "GenerateMac", "GenerateRandom" })
            gate.Admit("us-east-1", Alice, operation);

        AssertThrottled(() => gate.Admit("us-east-1", Alice, "ReEncrypt"));
    }

    [Fact]
    public void Each_account_and_each_Region_has_its_own_allowance()
    {
        var gate = Gate(RequestQuotas.Parse(FiveSymmetric, "test"));
        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Alice, "Encrypt");

        for (var i = 0; i < 5; i++) gate.Admit("us-east-1", Bob, "Encrypt");
        for (var i = 0; i < 5; i++) gate.Admit("eu-west-1", Alice, "Encrypt");

        AssertThrottled(() => gate.Admit("us-east-1", Bob, "Encrypt"));
        AssertThrottled(() => gate.Admit("eu-west-1", Alice, "Encrypt"));
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
        var gate = Gate(RequestQuotas.Aws());

        gate.Admit("us-east-1", Alice, "GetParametersForImport");
        _clock.Advance(TimeSpan.FromSeconds(3.9));
        AssertThrottled(() => gate.Admit("us-east-1", Alice, "GetParametersForImport"));
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        gate.Admit("us-east-1", Alice, "GetParametersForImport");
    }

    [Theory]
    [InlineData("us-east-1", 100_000)]
    [InlineData("us-east-2", 20_000)]
    [InlineData("eu-central-1", 20_000)]
    [InlineData("sa-east-1", 10_000)]
    public void AWS_symmetric_quota_depends_on_the_Region(string region, double rate)
    {
        Assert.Equal(rate, RequestQuotas.Aws().RateOf(RequestQuotas.Symmetric, region));
    }

    [Theory]
    [InlineData("Encrypt", RequestQuotas.Symmetric)]
    [InlineData("GenerateRandom", RequestQuotas.Symmetric)]
    [InlineData("VerifyMac", RequestQuotas.Symmetric)]
    [InlineData("Sign", RequestQuotas.Rsa)]
    [InlineData("DeriveSharedSecret", RequestQuotas.Ecc)]
    [InlineData("CreateKey", "CreateKey request rate")]
    [InlineData("GenerateDataKeyPair", null)]
    public void Each_operation_counts_against_its_quota(string operation, string? quota)
    {
        Assert.Equal(quota, RequestQuotas.QuotaOf(operation));
    }

    [Fact]
    public void Operations_without_a_documented_quota_are_not_limited()
    {
        var gate = Gate(RequestQuotas.Aws());

        for (var i = 0; i < 1000; i++) gate.Admit("us-east-1", Alice, "GetKeyLastUsage");

        Assert.Null(RequestQuotas.Aws().RateOf("GetKeyLastUsage request rate", "us-east-1"));
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
