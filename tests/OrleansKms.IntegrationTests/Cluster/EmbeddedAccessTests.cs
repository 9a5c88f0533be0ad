using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// An Orleans application that embeds the KMS and calls its grains directly gets the same checks as a gateway caller:
/// authorization with the caller its commands carry, and CreateKey's spec rules.
/// </summary>
public sealed class EmbeddedAccessTests(TwoSiloClusterFixture cluster) : IClassFixture<TwoSiloClusterFixture>
{
    private const string KmsEncryptOnly = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";

    private KmsCaller User(params string[] policies) =>
        cluster.Caller with { PrincipalArn = $"arn:aws:iam::{cluster.Caller.AccountId}:user/app", AccessKeyId = "APP", IdentityPolicies = policies };

    private IKeyGrain Key(KeyArn arn) => cluster.Silo(1).GetGrain<IKeyGrain>(arn.Value);

    [Fact]
    public async Task Grain_calls_are_authorized_with_the_caller_the_command_carries()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var denied = await Assert.ThrowsAsync<KmsException>(() => Key(arn).CreateAsync(new CreateKeyCommand { Caller = User() }));
        Assert.Equal(KmsErrorCode.AccessDeniedException, denied.Code);
        await Key(arn).CreateAsync(new CreateKeyCommand { Caller = cluster.Caller });

        var app = User(KmsEncryptOnly);
        var worker = cluster.Silo(1).GetGrain<ICryptoWorker>(0);
        await worker.EncryptAsync(new EncryptCommand(app, arn.Value, [1], null, false, cluster.Region));
        var describe = await Assert.ThrowsAsync<KmsException>(() => Key(arn).DescribeAsync(app));
        Assert.Equal(KmsErrorCode.AccessDeniedException, describe.Code);
        Assert.Equal($"User: {app.PrincipalArn} is not authorized to perform: kms:DescribeKey on resource: {arn} because no identity-based policy allows the kms:DescribeKey action", describe.Message);
        var disable = await Assert.ThrowsAsync<KmsException>(() => Key(arn).DisableAsync(app));
        Assert.Equal(KmsErrorCode.AccessDeniedException, disable.Code);
        Assert.Equal(KeyStateKind.Enabled, (await Key(arn).DescribeAsync(cluster.Caller)).KeyState);
    }

    [Theory]
    [InlineData("SM2", KmsValues.EncryptDecrypt, "KeySpec SM2 is not supported in region us-east-1. SM2 keys are available only in China Regions.")]
    [InlineData("HMAC_256", KmsValues.EncryptDecrypt, "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256")]
    public async Task CreateKey_through_the_grain_refuses_what_AWS_refuses(string spec, string usage, string message)
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        var e = await Assert.ThrowsAsync<KmsException>(() => Key(arn).CreateAsync(new CreateKeyCommand { Caller = cluster.Caller, KeySpec = spec, KeyUsage = usage }));
        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Equal(message, e.Message);
        Assert.Equal(KmsErrorCode.NotFoundException, (await Assert.ThrowsAsync<KmsException>(() => Key(arn).DescribeAsync(cluster.Caller))).Code);
    }
}
