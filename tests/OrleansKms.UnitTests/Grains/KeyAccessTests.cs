using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Grains;

namespace OrleansKms.UnitTests.Grains;

/// <summary>
/// The service's side of authorization (<see cref="KeyAccess"/>): what the crypto workers and grains decide with a key
/// snapshot, grant tokens, accounts and identity policies. The policy grammar and AWS's decision logic are tested on
/// the pure library (Policy/); these tests hold what KeyAccess adds to it.
/// </summary>
public sealed class KeyAccessTests
{
    private const string Account = "111122223333";
    private static readonly KeyArn Key = new("us-east-1", Account, "1234abcd-12ab-34cd-56ef-1234567890ab");
    private static readonly KmsCaller Root = new(Account, $"arn:aws:iam::{Account}:root", "ROOT");
    private static readonly KmsCaller Bob = new(Account, $"arn:aws:iam::{Account}:user/bob", "BOB");
    private static readonly KmsPermission Encrypt = KmsPermissions.For("Encrypt")[0];

    private readonly TestSecrets _secrets = new();
    private readonly KeyAccess _access;

    public KeyAccessTests() =>
        _access = new KeyAccess(_secrets, new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z")), NullLogger<KeyAccess>.Instance);

    private static KeySnapshot Snapshot(IReadOnlyList<KeyGrant>? grants = null, long nextSequence = 1, string? policy = null) => new()
    {
        Arn = Key,
        Version = 1,
        KeyState = KeyStateKind.Enabled,
        KeyUsage = KmsValues.EncryptDecrypt,
        KeySpec = KmsValues.SymmetricDefault,
        CurrentKeyMaterialId = null,
        Materials = [],
        Grants = grants ?? [],
        NextGrantSequence = nextSequence,
        Policy = policy,
    };

    private static KeyGrant GrantToBob(long sequence, params string[] operations) =>
        new(GrantIds.New(), null, DateTimeOffset.UnixEpoch, Bob.PrincipalArn, null, $"arn:aws:iam::{Account}:root",
            operations.Length == 0 ? ["Encrypt"] : operations, null, null, null, sequence);

    private string Token(KeyGrant grant) => GrantTokens.Issue(_secrets.KeyFor(GrantTokens.Purpose), Key.Value, grant);

    private static KmsException Denied(Action action)
    {
        var e = Assert.Throws<KmsException>(action);
        Assert.Equal(KmsErrorCode.AccessDeniedException, e.Code);
        return e;
    }

    [Fact]
    public void A_grant_token_gives_its_grant_on_a_silo_whose_snapshot_has_not_seen_the_grant_yet()
    {
        var grant = GrantToBob(sequence: 1);
        var stale = Snapshot(nextSequence: 1); // the grant's CreateGrant has not reached this silo

        Denied(() => _access.Authorize(Bob, Encrypt, stale));
        _access.Authorize(Bob with { GrantTokens = [Token(grant)] }, Encrypt, stale);
    }

    [Fact]
    public void A_token_of_a_grant_the_snapshot_has_seen_and_no_longer_holds_gives_nothing()
    {
        var grant = GrantToBob(sequence: 1);
        var afterRetire = Snapshot(grants: [], nextSequence: 2);

        Denied(() => _access.Authorize(Bob with { GrantTokens = [Token(grant)] }, Encrypt, afterRetire));
    }

    [Fact]
    public void A_token_gives_only_its_operations_and_only_to_its_grantee()
    {
        var grant = GrantToBob(sequence: 1, "Decrypt");
        var stale = Snapshot();
        var carol = new KmsCaller(Account, $"arn:aws:iam::{Account}:user/carol", "CAROL");

        Denied(() => _access.Authorize(Bob with { GrantTokens = [Token(grant)] }, Encrypt, stale));
        Denied(() => _access.Authorize(carol with { GrantTokens = [Token(grant)] }, KmsPermissions.For("Decrypt")[0], stale));
        _access.Authorize(Bob with { GrantTokens = [Token(grant)] }, KmsPermissions.For("Decrypt")[0], stale);
    }

    [Fact]
    public void A_token_with_a_changed_claim_or_of_another_service_is_InvalidGrantTokenException()
    {
        var grant = GrantToBob(sequence: 1);
        var token = Token(grant);
        var foreign = GrantTokens.Issue(new byte[32], Key.Value, grant);
        var body = token[..token.LastIndexOf('.')];
        var widened = GrantTokens.Issue(new byte[32], Key.Value, grant with { Operations = ["Encrypt", "Decrypt"] });
        var spliced = widened[..widened.LastIndexOf('.')] + token[token.LastIndexOf('.')..];

        foreach (var bad in new[] { foreign, spliced, body + ".AAAA" })
        {
            var e = Assert.Throws<KmsException>(() => _access.Authorize(Root with { GrantTokens = [bad] }, Encrypt, Snapshot()));
            Assert.Equal(KmsErrorCode.InvalidGrantTokenException, e.Code);
        }
    }

    [Fact]
    public void Key_management_is_denied_across_accounts_before_the_key_is_looked_at()
    {
        var other = new KmsCaller("999999999999", "arn:aws:iam::999999999999:root", "OTHER");
        var open = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

        var e = Denied(() => _access.EnsureSameAccountIfRequired(other, KmsPermissions.For("ScheduleKeyDeletion")[0], Key));
        Assert.Equal($"User: arn:aws:iam::999999999999:root is not authorized to perform: kms:ScheduleKeyDeletion on resource: {Key} because no resource-based policy allows the kms:ScheduleKeyDeletion action", e.Message);
        Denied(() => _access.Authorize(other, KmsPermissions.For("DisableKey")[0], Snapshot(policy: open)));
        _access.Authorize(other, Encrypt, Snapshot(policy: open));
    }

    [Fact]
    public void An_IAM_only_permission_on_another_accounts_key_needs_an_identity_policy_even_for_a_root()
    {
        var other = new KmsCaller("999999999999", "arn:aws:iam::999999999999:root", "OTHER");
        var retire = KmsPermissions.For("RetireGrant")[0];

        Denied(() => _access.Authorize(other, retire, Snapshot()));
        _access.Authorize(Root, retire, Snapshot());
        _access.Authorize(other with { IdentityPolicies = ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:RetireGrant\",\"Resource\":\"*\"}]}"] }, retire, Snapshot());
    }

    [Fact]
    public void Operations_on_no_key_need_an_identity_policy_except_for_a_root()
    {
        _access.AuthorizeIdentity(Root, "kms:ListKeys");
        var e = Denied(() => _access.AuthorizeIdentity(Bob, "kms:ListKeys"));
        Assert.Equal($"User: {Bob.PrincipalArn} is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action", e.Message);
        _access.AuthorizeIdentity(Bob with { IdentityPolicies = ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:List*\",\"Resource\":\"*\"}]}"] }, "kms:ListKeys");
        Denied(() => _access.AuthorizeIdentity(Root with { IdentityPolicies = ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"] }, "kms:ListKeys"));
    }

    [Fact]
    public void AssumeRole_follows_the_trust_policy()
    {
        const string role = $"arn:aws:iam::{Account}:role/app";
        var trustBob = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"{Bob.PrincipalArn}\"}},\"Action\":\"sts:AssumeRole\"}}]}}";

        Assert.True(_access.AllowsAssumeRole(Bob, role, trustBob, out _));
        Assert.False(_access.AllowsAssumeRole(Root with { PrincipalArn = $"arn:aws:iam::{Account}:user/carol" }, role, trustBob, out var denial));
        Assert.Equal($"User: arn:aws:iam::{Account}:user/carol is not authorized to perform: sts:AssumeRole on resource: {role}", denial);
    }

    [Fact]
    public void CheckPolicy_names_what_is_wrong_with_a_document()
    {
        Assert.Null(_access.CheckPolicy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "identity"));
        Assert.NotNull(_access.CheckPolicy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"NoSuchOperator\":{\"a\":\"b\"}}}]}", "identity"));
        var e = Assert.Throws<KmsException>(() => _access.CompileKeyPolicy("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"));
        Assert.Equal(KmsErrorCode.MalformedPolicyDocumentException, e.Code);
    }

    private sealed class TestSecrets : IServiceSecrets
    {
        private readonly byte[] _key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        public byte[] KeyFor(string purpose) => _key;
    }
}
