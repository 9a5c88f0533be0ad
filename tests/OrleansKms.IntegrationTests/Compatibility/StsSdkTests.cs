using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// A server with an account root, three users and four roles (one only alice may assume, with kms:*; one only bob
/// may; one only sessions of the first may, for role chaining; one that trusts the account, which carol's identity
/// policy lets her assume), and a fake KMS clock that session expiry follows.
/// </summary>
public sealed class StsServerFixture : KmsServerFixture
{
    public const string Account = "111122223333";
    public const string RootKey = "AKIASTSROOT";
    public const string AliceKey = "AKIASTSALICE";
    public const string BobKey = "AKIASTSBOB";
    public const string CarolKey = "AKIASTSCAROL";
    public const string KmsUserRole = $"arn:aws:iam::{Account}:role/kms-user";
    public const string BobsRole = $"arn:aws:iam::{Account}:role/bobs";
    public const string ChainedRole = $"arn:aws:iam::{Account}:role/team/chained";
    public const string AccountTrustedRole = $"arn:aws:iam::{Account}:role/account-trusted";
    private const string KmsAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";

    /// <summary>The KMS clock (<see cref="KmsTime"/>): sessions are issued and expire on it; SigV4 dates stay on the wall clock.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void Configure(KmsServerOptions options)
    {
        var identities = Path.Combine(Path.GetTempPath(), $"kms-identities-{Guid.NewGuid():N}.json");
        File.WriteAllText(identities, $$"""
            { "identities": [
                { "accessKeyId": "{{RootKey}}", "secretAccessKey": "root-secret", "accountId": "{{Account}}" },
                { "accessKeyId": "{{AliceKey}}", "secretAccessKey": "alice-secret", "accountId": "{{Account}}",
                  "principalArn": "arn:aws:iam::{{Account}}:user/alice" },
                { "accessKeyId": "{{BobKey}}", "secretAccessKey": "bob-secret", "accountId": "{{Account}}",
                  "principalArn": "arn:aws:iam::{{Account}}:user/bob" },
                { "accessKeyId": "{{CarolKey}}", "secretAccessKey": "carol-secret", "accountId": "{{Account}}",
                  "principalArn": "arn:aws:iam::{{Account}}:user/carol",
                  "policies": [ {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{{AccountTrustedRole}}"}]} ] } ],
              "roles": [
                { "arn": "{{KmsUserRole}}", "maxSessionDuration": 7200, "policies": [ {{KmsAll}} ],
                  "trustPolicy": {{Trust($"arn:aws:iam::{Account}:user/alice")}} },
                { "arn": "{{BobsRole}}", "trustPolicy": {{Trust($"arn:aws:iam::{Account}:user/bob")}} },
                { "arn": "{{ChainedRole}}", "policies": [ {{KmsAll}} ], "trustPolicy": {{Trust(KmsUserRole)}} },
                { "arn": "{{AccountTrustedRole}}", "trustPolicy": {{Trust($"arn:aws:iam::{Account}:root")}} } ] }
            """);
        options.IdentitiesFile = identities;
        options.ConfigureServices = s => s.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Clock);
    }

    private static string Trust(string principal) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"sts:AssumeRole"}]}""";

    public AmazonSecurityTokenServiceClient Sts(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Server.Endpoint.ToString().TrimEnd('/'),
            AuthenticationRegion = Region,
            MaxErrorRetry = 0,
        });

    public AmazonSecurityTokenServiceClient Sts(string accessKey, string secretKey) => Sts(new BasicAWSCredentials(accessKey, secretKey));

    public AmazonKeyManagementServiceClient Kms(AWSCredentials credentials) =>
        new(credentials, new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Server.Endpoint.ToString().TrimEnd('/'),
            AuthenticationRegion = Region,
            MaxErrorRetry = 0,
        });
}

[CollectionDefinition(Name)]
public sealed class StsCollection : ICollectionFixture<StsServerFixture>
{
    public const string Name = "sts-server";
}

/// <summary>
/// STS on the KMS endpoint through the official AWS SDK's STS client: GetCallerIdentity for every kind of caller,
/// AssumeRole under trust policies, and KMS calls signed with the temporary credentials it returns.
/// </summary>
[Collection(StsCollection.Name)]
public sealed class StsSdkTests(StsServerFixture fixture)
{
    private const string Account = StsServerFixture.Account;

    private async Task<Credentials> AssumeAsync(string accessKey, string secret, string roleArn, string session, int? duration = null)
    {
        using var sts = fixture.Sts(accessKey, secret);
        return (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = session, DurationSeconds = duration })).Credentials;
    }

    private Task<Credentials> AliceAssumesKmsUserAsync(string session = "alice-session", int? duration = null) =>
        AssumeAsync(StsServerFixture.AliceKey, "alice-secret", StsServerFixture.KmsUserRole, session, duration);

    private static SessionAWSCredentials SessionOf(Credentials c) => new(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);

    private static async Task<AmazonSecurityTokenServiceException> StsError(string code, HttpStatusCode status, Func<Task> call, string? message = null)
    {
        var e = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(call);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(ErrorType.Sender, e.ErrorType);
        Assert.False(string.IsNullOrEmpty(e.RequestId), "every STS error carries its RequestId");
        if (message is not null) Assert.Equal(message, e.Message);
        return e;
    }

    [Fact]
    public async Task GetCallerIdentity_of_an_account_root_is_the_root_and_the_account()
    {
        using var sts = fixture.Sts(StsServerFixture.RootKey, "root-secret");

        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal($"arn:aws:iam::{Account}:root", me.Arn);
        Assert.Equal(Account, me.Account);
        Assert.Equal(Account, me.UserId);
        Assert.False(string.IsNullOrEmpty(me.ResponseMetadata.RequestId));
    }

    [Fact]
    public async Task GetCallerIdentity_of_a_user_is_the_user_with_an_AIDA_unique_id()
    {
        using var sts = fixture.Sts(StsServerFixture.AliceKey, "alice-secret");

        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal($"arn:aws:iam::{Account}:user/alice", me.Arn);
        Assert.Equal(Account, me.Account);
        Assert.Matches("^AIDA[A-Z2-7]{17}$", me.UserId);
    }

    [Fact]
    public async Task AssumeRole_allowed_by_the_trust_policy_answers_credentials_and_the_assumed_role_user()
    {
        var issuedAt = fixture.Clock.GetUtcNow();
        using var sts = fixture.Sts(StsServerFixture.AliceKey, "alice-secret");

        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = StsServerFixture.KmsUserRole, RoleSessionName = "build-42", DurationSeconds = 1800 });

        Assert.Matches("^ASIA[A-Z2-7]{16}$", assumed.Credentials.AccessKeyId);
        Assert.False(string.IsNullOrEmpty(assumed.Credentials.SecretAccessKey));
        Assert.False(string.IsNullOrEmpty(assumed.Credentials.SessionToken));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(issuedAt.AddSeconds(1800).ToUnixTimeSeconds()),
            new DateTimeOffset(assumed.Credentials.Expiration!.Value.ToUniversalTime()));
        Assert.Equal($"arn:aws:sts::{Account}:assumed-role/kms-user/build-42", assumed.AssumedRoleUser.Arn);
        Assert.Matches("^AROA[A-Z2-7]{17}:build-42$", assumed.AssumedRoleUser.AssumedRoleId);
    }

    [Fact]
    public async Task GetCallerIdentity_of_a_session_is_the_assumed_role_ARN_and_its_role_id()
    {
        var credentials = await AliceAssumesKmsUserAsync("whoami");
        using var sts = fixture.Sts(SessionOf(credentials));

        var me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal($"arn:aws:sts::{Account}:assumed-role/kms-user/whoami", me.Arn);
        Assert.Equal(Account, me.Account);
        Assert.Matches("^AROA[A-Z2-7]{17}:whoami$", me.UserId);
    }

    [Fact]
    public async Task Session_credentials_sign_KMS_calls()
    {
        var credentials = await AliceAssumesKmsUserAsync();
        using var kms = fixture.Kms(SessionOf(credentials));

        var random = await kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 16 });

        Assert.Equal(HttpStatusCode.OK, random.HttpStatusCode);
        Assert.Equal(16, random.Plaintext.Length);
    }

    [Fact]
    public async Task A_key_policy_that_names_the_role_ARN_allows_its_sessions()
    {
        using var root = fixture.Kms(new BasicAWSCredentials(StsServerFixture.RootKey, "root-secret"));
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Allow","Principal":{"AWS":"{{StsServerFixture.BobsRole}}"},"Action":"kms:Encrypt","Resource":"*"}]}
            """;
        var key = (await root.CreateKeyAsync(new CreateKeyRequest { Policy = policy })).KeyMetadata;
        var session = await AssumeAsync(StsServerFixture.BobKey, "bob-secret", StsServerFixture.BobsRole, "bob-app");
        using var kms = fixture.Kms(SessionOf(session));

        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2]) })).CiphertextBlob;
        // The role has no identity policy: what the key policy leaves to IAM (Decrypt, via the account) is denied.
        var denied = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, KeyId = key.Arn }));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal($"User: arn:aws:sts::{Account}:assumed-role/bobs/bob-app is not authorized to perform: kms:Decrypt on resource: {key.Arn} because no identity-based policy allows the kms:Decrypt action", denied.Message);
    }

    [Fact]
    public async Task AssumeRole_the_trust_policy_does_not_allow_is_AccessDenied()
    {
        await StsError("AccessDenied", HttpStatusCode.Forbidden,
            () => AssumeAsync(StsServerFixture.AliceKey, "alice-secret", StsServerFixture.BobsRole, "nope"),
            $"User: arn:aws:iam::{Account}:user/alice is not authorized to perform: sts:AssumeRole on resource: {StsServerFixture.BobsRole}");

        var bobs = await AssumeAsync(StsServerFixture.BobKey, "bob-secret", StsServerFixture.BobsRole, "bob");
        Assert.StartsWith("ASIA", bobs.AccessKeyId);
    }

    [Fact]
    public async Task AssumeRole_of_an_unknown_role_is_the_same_AccessDenied()
    {
        const string missing = $"arn:aws:iam::{Account}:role/does-not-exist";

        await StsError("AccessDenied", HttpStatusCode.Forbidden,
            () => AssumeAsync(StsServerFixture.AliceKey, "alice-secret", missing, "nope"),
            $"User: arn:aws:iam::{Account}:user/alice is not authorized to perform: sts:AssumeRole on resource: {missing}");
    }

    [Fact]
    public async Task A_role_that_trusts_the_account_needs_the_callers_identity_policy_too()
    {
        await StsError("AccessDenied", HttpStatusCode.Forbidden,
            () => AssumeAsync(StsServerFixture.AliceKey, "alice-secret", StsServerFixture.AccountTrustedRole, "alice"),
            $"User: arn:aws:iam::{Account}:user/alice is not authorized to perform: sts:AssumeRole on resource: {StsServerFixture.AccountTrustedRole}");

        var carols = await AssumeAsync(StsServerFixture.CarolKey, "carol-secret", StsServerFixture.AccountTrustedRole, "carol");

        Assert.StartsWith("ASIA", carols.AccessKeyId);
    }

    [Fact]
    public async Task An_account_root_may_not_assume_roles()
    {
        await StsError("AccessDenied", HttpStatusCode.Forbidden,
            () => AssumeAsync(StsServerFixture.RootKey, "root-secret", StsServerFixture.KmsUserRole, "root"),
            "Roles may not be assumed by root accounts.");
    }

    [Fact]
    public async Task A_session_may_assume_a_role_that_trusts_its_role_for_at_most_one_hour()
    {
        var first = await AliceAssumesKmsUserAsync("first-hop");
        using var sts = fixture.Sts(SessionOf(first));

        await StsError("ValidationError", HttpStatusCode.BadRequest,
            () => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = StsServerFixture.ChainedRole, RoleSessionName = "second-hop", DurationSeconds = 3601 }),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        var second = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = StsServerFixture.ChainedRole, RoleSessionName = "second-hop" });

        Assert.Equal($"arn:aws:sts::{Account}:assumed-role/chained/second-hop", second.AssumedRoleUser.Arn);
        using var chained = fixture.Sts(SessionOf(second.Credentials));
        Assert.Equal(second.AssumedRoleUser.Arn, (await chained.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
    }

    [Fact]
    public async Task DurationSeconds_outside_900_to_the_roles_maximum_is_ValidationError()
    {
        await StsError("ValidationError", HttpStatusCode.BadRequest, () => AliceAssumesKmsUserAsync(duration: 899),
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
        await StsError("ValidationError", HttpStatusCode.BadRequest, () => AliceAssumesKmsUserAsync(duration: 7201),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

        var longest = await AliceAssumesKmsUserAsync(duration: 7200);
        Assert.StartsWith("ASIA", longest.AccessKeyId);
    }

    [Fact]
    public async Task A_tampered_session_token_is_an_invalid_token_on_STS_and_on_KMS()
    {
        var credentials = await AliceAssumesKmsUserAsync();
        var token = credentials.SessionToken.ToCharArray();
        var i = token.Length / 2;
        token[i] = token[i] == 'A' ? 'B' : 'A';
        var tampered = new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, new string(token));
        using var sts = fixture.Sts(tampered);
        using var kms = fixture.Kms(tampered);

        await StsError("InvalidClientTokenId", HttpStatusCode.Forbidden, () => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()),
            "The security token included in the request is invalid.");
        await Sdk.ThrowsCode("UnrecognizedClientException", () => kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 8 }),
            "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task A_session_key_with_another_sessions_token_is_an_invalid_token()
    {
        var mine = await AliceAssumesKmsUserAsync("mine");
        var theirs = await AliceAssumesKmsUserAsync("theirs");
        using var sts = fixture.Sts(new SessionAWSCredentials(mine.AccessKeyId, mine.SecretAccessKey, theirs.SessionToken));

        await StsError("InvalidClientTokenId", HttpStatusCode.Forbidden, () => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
    }

    [Fact]
    public async Task An_expired_session_is_ExpiredToken_on_STS_and_ExpiredTokenException_on_KMS()
    {
        var credentials = await AliceAssumesKmsUserAsync("short", duration: 900);
        using var kms = fixture.Kms(SessionOf(credentials));
        using var sts = fixture.Sts(SessionOf(credentials));
        Assert.Equal(HttpStatusCode.OK, (await kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1 })).HttpStatusCode);

        fixture.Clock.Advance(TimeSpan.FromSeconds(900));

        await Sdk.ThrowsCode("ExpiredTokenException", () => kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1 }),
            "The security token included in the request is expired");
        await StsError("ExpiredToken", HttpStatusCode.BadRequest, () => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()),
            "The security token included in the request is expired");
    }

    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch_and_an_unknown_key_InvalidClientTokenId()
    {
        using var wrongSecret = fixture.Sts(StsServerFixture.AliceKey, "not-alice");
        using var unknownKey = fixture.Sts("AKIANOBODY", "secret");

        await StsError("SignatureDoesNotMatch", HttpStatusCode.Forbidden, () => wrongSecret.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        await StsError("InvalidClientTokenId", HttpStatusCode.Forbidden, () => unknownKey.GetCallerIdentityAsync(new GetCallerIdentityRequest()),
            "The security token included in the request is invalid.");
    }
}
