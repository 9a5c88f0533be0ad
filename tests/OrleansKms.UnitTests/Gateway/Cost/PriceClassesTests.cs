using OrleansKms.Gateway.Cost;

namespace OrleansKms.UnitTests.Gateway.Cost;

public sealed class PriceClassesTests
{
    [Theory]
    [InlineData("Encrypt", "SYMMETRIC_DEFAULT", "", "symmetric")]
    [InlineData("CreateKey", null, "", "symmetric")]
    [InlineData("DescribeKey", "ECC_NIST_P256", "", "symmetric")]
    [InlineData("Decrypt", "RSA_2048", "", "rsa-2048")]
    [InlineData("Sign", "RSA_3072", "", "asymmetric")]
    [InlineData("Verify", "ECC_NIST_P384", "", "asymmetric")]
    [InlineData("Sign", "ML_DSA_65", "", "ml-dsa")]
    [InlineData("Sign", null, "", "asymmetric")]
    [InlineData("GenerateMac", "HMAC_256", "", "hmac")]
    [InlineData("GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "RSA_2048", "rsa-data-key-pair")]
    [InlineData("GenerateDataKeyPairWithoutPlaintext", "SYMMETRIC_DEFAULT", "ECC_SECG_P256K1", "ecc-data-key-pair")]
    public void A_request_is_priced_by_its_operation_and_key(string operation, string? keySpec, string pairSpec, string expected) =>
        Assert.Equal(expected, PriceClasses.Of(operation, keySpec, pairSpec));

    [Fact]
    public void The_AWS_price_table_states_its_date_sources_and_prices()
    {
        var prices = PriceTable.Aws;

        Assert.Equal("2026-12-01", prices.Date);
        Assert.Contains("https://aws.amazon.com/kms/pricing/", prices.Sources);
        Assert.Equal((1.00m, 1.00m, 2, 20_000L, 10_000L), (prices.KeyMonth, prices.RotationExtraMonth, prices.RotationsCharged, prices.FreeTierRequests, prices.RequestUnit));
        Assert.Equal(["symmetric", "hmac"], prices.RequestClasses.Where(c => c.FreeTier).Select(c => c.Name));
        Assert.Equal(12.00m, prices.Class("rsa-data-key-pair").Price);
        Assert.Equal(0.15m, prices.Class("asymmetric").Price);
    }
}
