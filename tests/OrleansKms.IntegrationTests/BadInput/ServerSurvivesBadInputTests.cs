using System.Net;
using System.Text;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// After a barrage of every kind of bad input, many at a time, the server still serves: keys made before it still
/// encrypt and decrypt, and no bad request got a 5xx.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ServerSurvivesBadInputTests(KmsServerFixture fixture)
{
    private Uri Endpoint => fixture.Server.Endpoint;

    private IEnumerable<Func<HttpRequestMessage>> Barrage(byte[] ciphertext)
    {
        foreach (var (target, body) in ProtocolBadInputTests.NotTheShape.Concat(ProtocolBadInputTests.BadBase64))
            yield return () => RawKms.Request(Endpoint, "TrentService." + target, body);
        foreach (var (target, body, _) in ProtocolBadInputTests.MissingMembers)
            yield return () => RawKms.Request(Endpoint, "TrentService." + target, body);
        foreach (var (_, blob) in CiphertextTamperTests.Flipped(ciphertext).Concat(CiphertextTamperTests.Truncated(ciphertext)))
            yield return () => RawKms.Request(Endpoint, "TrentService.Decrypt", $"{{\"CiphertextBlob\":\"{Convert.ToBase64String(blob)}\"}}");
        foreach (var target in new[] { "TrentService.Nope", "TrentService.Sign", "Nope", null })
            yield return () => RawKms.Request(Endpoint, target, "{}");
        yield return () => RawKms.Request(Endpoint, "TrentService.Encrypt", "{}", sign: false);
        yield return () => RawKms.Request(Endpoint, "TrentService.Encrypt", "{}", at: DateTimeOffset.UtcNow.AddMinutes(-20));
        yield return () => RawKms.Request(Endpoint, "TrentService.Encrypt", "{}", secretKey: "wrong");
        yield return () => RawKms.Request(Endpoint, "TrentService.Encrypt", "{}", accessKey: "nobody");
        yield return () => RawKms.Request(Endpoint, "TrentService.Encrypt", new byte[1024 * 1024 + 1]);
        yield return () => RawKms.Request(Endpoint, "TrentService.Encrypt", [0xC3, 0x28, 0xFF]);
    }

    [Fact]
    public async Task After_a_concurrent_barrage_of_bad_input_keys_made_before_still_encrypt_and_decrypt()
    {
        var keyId = await Raw.NewKeyAsync(Endpoint);
        var plaintext = Encoding.UTF8.GetBytes("before the barrage");
        var ciphertext = await Raw.EncryptAsync(Endpoint, keyId, plaintext);

        var requests = Barrage(ciphertext).ToList();
        var replies = new List<RawReply>();
        foreach (var batch in requests.Chunk(16))
            replies.AddRange(await Task.WhenAll(batch.Select(make => Raw.SendAsync(make()))));

        Assert.True(replies.Count > 200, $"the barrage sent {replies.Count} requests");
        var unexpected = replies.Where(r => (int)r.Status is < 400 or >= 500 || r.Type is null).ToList();
        Assert.True(unexpected.Count == 0, "not a 4xx AWS error: " + string.Join('\n', unexpected.Select(r => $"{(int)r.Status} {r.Body}")));
        Assert.All(replies.Where(r => r.Status == HttpStatusCode.RequestEntityTooLarge), r => Assert.Equal("RequestEntityTooLargeException", r.Type));

        var old = (await Raw.DecryptAsync(Endpoint, ciphertext)).AssertOk();
        Assert.Equal(plaintext, old.GetProperty("Plaintext").GetBytesFromBase64());
        var fresh = await Raw.EncryptAsync(Endpoint, keyId, [1, 2, 3]);
        var decrypted = (await Raw.DecryptAsync(Endpoint, fresh, keyId)).AssertOk();
        Assert.Equal([1, 2, 3], decrypted.GetProperty("Plaintext").GetBytesFromBase64());
        var described = (await Raw.CallAsync(Endpoint, "DescribeKey", new { KeyId = keyId })).AssertOk();
        Assert.Equal("Enabled", described.GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
    }

    [Fact]
    public async Task After_bad_input_the_AWS_SDK_still_works_on_the_same_server()
    {
        foreach (var (target, body) in ProtocolBadInputTests.NotTheShape)
            (await Raw.CallAsync(Endpoint, "TrentService." + target, body)).AssertError("SerializationException");

        using var kms = fixture.Client();
        var key = (await kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest())).KeyMetadata;
        var blob = await Compatibility.Sdk.EncryptAsync(kms, key.KeyId, [8, 8]);
        Assert.Equal([8, 8], await Compatibility.Sdk.DecryptAsync(kms, blob));
    }
}
