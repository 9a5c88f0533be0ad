using Microsoft.Extensions.Logging;
using OrleansKms.Hosting;

namespace OrleansKms.UnitTests.Hosting;

/// <summary>
/// A server refuses to start on an identities file whose policies AWS would refuse, naming the entry and field (the
/// silo's policy grammar is the file reader's check), before it binds a port or starts a silo.
/// </summary>
public sealed class IdentitiesPolicyCheckTests
{
    private const string User = """{ "accessKeyId": "AKIAUSER", "secretAccessKey": "s", "accountId": "111122223333" }""";

    private static async Task<InvalidDataException> StartFailsAsync(string identitiesJson)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kms-identities-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, identitiesJson, TestContext.Current.CancellationToken);
        try
        {
            return await Assert.ThrowsAsync<InvalidDataException>(() => KmsServer.StartAsync(new KmsServerOptions
            {
                Port = 0,
                Storage = KmsStorageMode.Memory,
                IdentitiesFile = path,
                DataDirectory = Path.Combine(Path.GetTempPath(), "kms-test-" + Guid.NewGuid().ToString("N")),
                LogLevel = LogLevel.Warning,
            }, TestContext.Current.CancellationToken));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_role_whose_trust_policy_names_no_principal_stops_the_start()
    {
        var e = await StartFailsAsync($$"""
            { "identities": [ {{User}} ],
              "roles": [ { "arn": "arn:aws:iam::111122223333:role/r",
                           "trustPolicy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "sts:AssumeRole" } ] } } ] }
            """);

        Assert.Contains("roles[0].trustPolicy: ", e.Message);
    }

    [Fact]
    public async Task A_role_policy_with_a_principal_stops_the_start()
    {
        var e = await StartFailsAsync($$"""
            { "identities": [ {{User}} ],
              "roles": [ { "arn": "arn:aws:iam::111122223333:role/r",
                           "trustPolicy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "111122223333" }, "Action": "sts:AssumeRole" } ] },
                           "policies": [ { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*" } ] } ] } ] }
            """);

        Assert.Contains("roles[0].policies[0]: ", e.Message);
    }

    [Fact]
    public async Task A_user_policy_that_is_not_IAM_grammar_stops_the_start()
    {
        var e = await StartFailsAsync("""
            { "identities": [ { "accessKeyId": "AKIAUSER", "secretAccessKey": "s", "accountId": "111122223333",
                                "principalArn": "arn:aws:iam::111122223333:user/u",
                                "policies": [ { "Version": "2012-10-17", "Statement": [ { "Effect": "Perhaps", "Action": "kms:*", "Resource": "*" } ] } ] } ] }
            """);

        Assert.Contains("identities[0].policies[0]: ", e.Message);
    }

    [Fact]
    public async Task A_via_service_that_is_not_a_service_name_stops_the_start()
    {
        var e = await StartFailsAsync("""
            { "identities": [ { "accessKeyId": "AKIAS3", "secretAccessKey": "s", "accountId": "111122223333", "viaService": "S3.amazonaws.com" } ] }
            """);

        Assert.Contains("identities[0].viaService: ", e.Message);
    }
}
