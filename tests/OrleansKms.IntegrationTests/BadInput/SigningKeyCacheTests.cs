using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Regions;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// The SigV4 signing keys the gateway keeps are bounded: at most the configured number (further callers are verified
/// with a key derived for the request alone), and the keys of past days leave.
/// </summary>
public sealed class SigningKeyCacheTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:4566/");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly KmsIdentity[] _identities = Enumerable.Range(1, 3)
        .Select(i => new KmsIdentity($"AKIAEXAMPLE{i}", $"secret-{i}", "111122223333", "arn:aws:iam::111122223333:root")).ToArray();

    private static HttpRequest ToHttpRequest(HttpRequestMessage message)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "POST";
        request.Path = "/";
        request.Host = new HostString(Endpoint.Authority);
        foreach (var (name, values) in message.Headers) request.Headers[name] = values.ToArray();
        foreach (var (name, values) in message.Content!.Headers) request.Headers[name] = values.ToArray();
        return request;
    }

    private KmsIdentity Verify(SigV4Verifier verifier, KmsIdentity identity)
    {
        var body = "{}"u8.ToArray();
        using var message = RawKms.Request(Endpoint, "TrentService.ListKeys", body, _time.GetUtcNow(), identity.AccessKeyId, identity.SecretAccessKey);
        return verifier.Verify(ToHttpRequest(message), body, out _);
    }

    [Fact]
    public void Past_its_capacity_the_gateway_still_verifies_callers_but_keeps_no_more_keys_and_forgets_past_days()
    {
        var verifier = new SigV4Verifier(new IdentityStore(_identities), _time, new OneRegion(), TimeSpan.FromMinutes(15), signingKeyCapacity: 2);
        foreach (var identity in _identities) Assert.Equal(identity.AccessKeyId, Verify(verifier, identity).AccessKeyId);
        Assert.Equal(2, verifier.SigningKeysKept);

        // The third caller, whose key was not kept, is verified again (and a wrong secret still fails).
        Assert.Equal(_identities[2].AccessKeyId, Verify(verifier, _identities[2]).AccessKeyId);
        var forged = _identities[2] with { SecretAccessKey = "not-the-secret" };
        Assert.Equal(KmsErrorCode.InvalidSignatureException, Assert.Throws<KmsException>(() => Verify(verifier, forged)).Code);

        _time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(_identities[0].AccessKeyId, Verify(verifier, _identities[0]).AccessKeyId);
        Assert.Equal(1, verifier.SigningKeysKept);
    }

    private sealed class OneRegion : IKmsRegions
    {
        public IReadOnlyList<string> Served { get; } = ["us-east-1"];

        public bool Serves(string region) => region == "us-east-1";

        public ValueTask<KmsRegion> GetAsync(string region, CancellationToken cancel = default) => throw new NotSupportedException();
    }
}
