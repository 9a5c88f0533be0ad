using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansKms.Gateway.Regions;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Every AWS Region at one endpoint: the Region of each request's SigV4 scope, with ARNs in its Region and partition,
/// and keys, aliases and catalogs separate per Region, each Region its own Orleans cluster started on first use.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class RegionsSdkTests(KmsServerFixture fixture)
{
    [Fact]
    public async Task A_key_made_in_us_east_1_is_NotFound_in_eu_west_1_and_each_Region_lists_only_its_own_keys()
    {
        using var east = SdkClients.Create(fixture.Server.Endpoint, "us-east-1", "test", "test");
        using var west = SdkClients.Create(fixture.Server.Endpoint, "eu-west-1", "test", "test");

        var eastKey = await east.NewKeyAsync("east");
        var westKey = await west.NewKeyAsync("west");

        Assert.Equal($"arn:aws:kms:eu-west-1:000000000000:key/{westKey.KeyId}", westKey.Arn);
        await Sdk.Throws<NotFoundException>(() => west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = eastKey.KeyId }));
        await Sdk.Throws<NotFoundException>(() => east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = westKey.KeyId }));
        await Sdk.Throws<NotFoundException>(() => west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = eastKey.Arn }), "Invalid arn us-east-1");
        var westIds = await west.ListAllKeyIdsAsync();
        Assert.Contains(westKey.KeyId, westIds);
        Assert.DoesNotContain(eastKey.KeyId, westIds);
        Assert.DoesNotContain(westKey.KeyId, await east.ListAllKeyIdsAsync());
    }

    [Fact]
    public async Task The_same_alias_name_names_a_different_key_in_each_Region_and_ciphertext_does_not_cross()
    {
        using var east = SdkClients.Create(fixture.Server.Endpoint, "us-east-1", "test", "test");
        using var tokyo = SdkClients.Create(fixture.Server.Endpoint, "ap-northeast-1", "test", "test");
        var name = "alias/regional-" + Guid.NewGuid().ToString("N");
        var eastKey = await east.NewKeyAsync();
        var tokyoKey = await tokyo.NewKeyAsync();
        await east.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = eastKey.KeyId });
        await tokyo.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = tokyoKey.KeyId });

        Assert.Equal(eastKey.Arn, (await east.DescribeAsync(name)).Arn);
        Assert.Equal(tokyoKey.Arn, (await tokyo.DescribeAsync(name)).Arn);
        var alias = Assert.Single((await tokyo.ListAliasesAsync(new ListAliasesRequest { KeyId = tokyoKey.KeyId })).Aliases);
        Assert.Equal($"arn:aws:kms:ap-northeast-1:000000000000:{name}", alias.AliasArn);
        var ciphertext = await east.EncryptAsync(name, [1, 2, 3]);
        await Sdk.Throws<InvalidCiphertextException>(() => tokyo.DecryptAsync(ciphertext));
        Assert.Equal([1, 2, 3], await east.DecryptAsync(ciphertext));
    }

    [Theory]
    [InlineData("cn-northwest-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("sa-east-1", "aws")]
    public async Task Keys_in_a_Region_of_each_partition_have_ARNs_of_that_partition(string region, string partition)
    {
        using var kms = SdkClients.Create(fixture.Server.Endpoint, region, "test", "test");

        var key = await kms.NewKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, [9]);

        Assert.Equal($"arn:{partition}:kms:{region}:000000000000:key/{key.KeyId}", key.Arn);
        Assert.Equal([9], await kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task Each_Region_is_its_own_Orleans_cluster_and_an_unused_Region_is_not_started()
    {
        using var west = SdkClients.Create(fixture.Server.Endpoint, "eu-west-2", "test", "test");
        Assert.Contains(new RegionStatus("af-south-1", "idle"), fixture.Server.RegionControl.Status());
        await west.ListKeysAsync(new ListKeysRequest());

        var east = fixture.Server.RegionServices("us-east-1").GetRequiredService<IOptions<ClusterOptions>>().Value;
        var london = fixture.Server.RegionServices("eu-west-2").GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal("orleans-kms", east.ServiceId);
        Assert.Equal("orleans-kms-eu-west-2", london.ServiceId);
        Assert.Equal("orleans-kms-eu-west-2", london.ClusterId);
        Assert.NotSame(fixture.Server.RegionServices("us-east-1").GetRequiredService<IGrainFactory>(),
            fixture.Server.RegionServices("eu-west-2").GetRequiredService<IGrainFactory>());
        Assert.Contains(new RegionStatus("eu-west-2", "running"), fixture.Server.RegionControl.Status());
        Assert.Contains(new RegionStatus("af-south-1", "idle"), fixture.Server.RegionControl.Status());
    }
}

/// <summary>A server limited to some Regions (<c>--regions</c>): any other Region is refused with AWS's signature error.</summary>
public sealed class LimitedRegionsTests : IAsyncLifetime
{
    private KmsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await KmsServer.StartAsync(new KmsServerOptions
    {
        Port = 0,
        Storage = KmsStorageMode.Memory,
        Region = "eu-west-1",
        Regions = ["us-east-1", "eu-west-1"],
        SiloPort = TestPorts.Free(),
        SiloGatewayPort = TestPorts.Free(),
        LogLevel = LogLevel.Warning,
    });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_Region_not_served_is_InvalidSignatureException_naming_the_Regions_that_are()
    {
        using var tokyo = SdkClients.Create(_server.Endpoint, "ap-northeast-1", "test", "test");
        using var east = SdkClients.Create(_server.Endpoint, "us-east-1", "test", "test");

        await Sdk.ThrowsCode("InvalidSignatureException", () => tokyo.ListKeysAsync(new ListKeysRequest()),
            "Credential should be scoped to a valid region, not 'ap-northeast-1'. This endpoint serves eu-west-1, us-east-1.");
        Assert.StartsWith("arn:aws:kms:us-east-1:", (await east.NewKeyAsync()).Arn);
        Assert.Equal(["eu-west-1", "us-east-1"], _server.Regions);
        Assert.Equal("eu-west-1", _server.HomeRegion);
    }

    [Fact]
    public async Task Regions_that_are_not_AWS_Regions_or_that_leave_out_the_home_Region_stop_the_start_with_a_message()
    {
        var unknown = await Assert.ThrowsAsync<InvalidDataException>(() => KmsServer.StartAsync(new KmsServerOptions
        {
            Port = 0, Storage = KmsStorageMode.Memory, Regions = ["us-east-1", "moon-1"],
        }));
        var withoutHome = await Assert.ThrowsAsync<InvalidDataException>(() => KmsServer.StartAsync(new KmsServerOptions
        {
            Port = 0, Storage = KmsStorageMode.Memory, Regions = ["eu-west-1"],
        }));

        Assert.Equal("--regions: 'moon-1' is not an AWS Region this service knows.", unknown.Message);
        Assert.Equal("--regions eu-west-1 does not include the home Region us-east-1 (--region).", withoutHome.Message);
    }
}
