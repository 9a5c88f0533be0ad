using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>A server started as with <c>--dev-admin</c>, serving every Region: what <c>kms region</c> and <c>kms drill</c> need.</summary>
public sealed class DevAdminServerFixture : KmsServerFixture
{
    protected override void Configure(KmsServerOptions options) => options.DevAdmin = true;
}

/// <summary>
/// The tests that stop and start the dev-admin server's Regions share it one test class at a time: a Region one test
/// stops must not be one another test is using.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DevAdminServerCollection : ICollectionFixture<DevAdminServerFixture>
{
    public const string Name = "kms-dev-admin-server";
}
