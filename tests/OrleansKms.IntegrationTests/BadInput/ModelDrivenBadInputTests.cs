using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// Bad input for every operation of the AWS API model, generated from the model itself so a new operation is covered
/// the day it is added: each member of each input shape sent with JSON of the wrong type (always a 4xx with AWS's
/// <c>__type</c>), and each blob member sent as junk bytes in an otherwise well-formed request naming real keys of
/// every kind (a 4xx AWS error, or a 200 where the junk is just data, such as a Message to sign; never a 5xx or a
/// hang). The server must go on serving the keys it had.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ModelDrivenBadInputTests(KmsServerFixture fixture)
{
    private static readonly Lazy<JsonElement> Model = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kms-service-2.json"))).RootElement);

    private Uri Endpoint => fixture.Server.Endpoint;

    public static TheoryData<string> Operations() => new(Model.Value.GetProperty("operations").EnumerateObject().Select(o => o.Name));

    /// <summary>The operations whose input has at least one blob member.</summary>
    public static TheoryData<string> OperationsWithBlobs() =>
        new(Model.Value.GetProperty("operations").EnumerateObject().Select(o => o.Name).Where(o => Members(o).Any(m => m.Type == "blob")));

    /// <summary>
    /// Errors any operation may answer whatever its model declares: the protocol's (authentication, request shape,
    /// size) and ValidationException, which AWS's JSON protocol raises for constraint violations of any member.
    /// </summary>
    private static readonly HashSet<string> ProtocolErrors =
    [
        nameof(KmsErrorCode.ValidationException), nameof(KmsErrorCode.SerializationException), nameof(KmsErrorCode.UnknownOperationException),
        nameof(KmsErrorCode.AccessDeniedException), nameof(KmsErrorCode.MissingAuthenticationTokenException),
        nameof(KmsErrorCode.IncompleteSignatureException), nameof(KmsErrorCode.InvalidSignatureException),
        nameof(KmsErrorCode.UnrecognizedClientException), nameof(KmsErrorCode.RequestEntityTooLargeException),
    ];

    /// <summary>The errors the model declares for <paramref name="operation"/>.</summary>
    private static HashSet<string> Declared(string operation) =>
        [.. Model.Value.GetProperty("operations").GetProperty(operation).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("shape").GetString()!)];

    /// <summary>The input shape's members and their model types (string, blob, integer, boolean, list, map, structure, ...).</summary>
    private static List<(string Name, string Type)> Members(string operation)
    {
        var op = Model.Value.GetProperty("operations").GetProperty(operation);
        if (!op.TryGetProperty("input", out var input)) return [];
        var shapes = Model.Value.GetProperty("shapes");
        return shapes.GetProperty(input.GetProperty("shape").GetString()!).GetProperty("members").EnumerateObject()
            .Select(m => (m.Name, shapes.GetProperty(m.Value.GetProperty("shape").GetString()!).GetProperty("type").GetString()!))
            .ToList();
    }

    /// <summary>JSON values no member of that model type accepts.</summary>
    private static IEnumerable<JsonNode?> WrongTypes(string type) => type switch
    {
        "string" => [JsonValue.Create(123), new JsonArray(), new JsonObject()],
        "blob" => [JsonValue.Create(123), JsonValue.Create("***"), JsonValue.Create("A"), new JsonObject()],
        "integer" or "long" => [JsonValue.Create("12"), JsonValue.Create(1.5), JsonValue.Create(1e30), JsonValue.Create(true)],
        "boolean" => [JsonValue.Create("yes"), JsonValue.Create(1)],
        "list" => [new JsonObject(), JsonValue.Create("a"), new JsonArray(JsonValue.Create(1), new JsonArray())],
        "map" => [new JsonArray(), JsonValue.Create("a"), new JsonObject { ["k"] = 1 }, new JsonObject { ["k"] = new JsonObject() }],
        "structure" => [JsonValue.Create("s"), new JsonArray(), new JsonObject { ["AttestationDocument"] = 5 }],
        "timestamp" => [JsonValue.Create("yesterday"), new JsonObject()],
        _ => [],
    };

    private static string Body(string member, JsonNode? value) => new JsonObject { [member] = value?.DeepClone() }.ToJsonString();

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_member_with_JSON_of_the_wrong_type_is_a_4xx_AWS_error(string operation)
    {
        var bodies = Members(operation).SelectMany(m => WrongTypes(m.Type).Select(v => Body(m.Name, v)))
            .Append("{").Append("[]").Append("\"x\"").ToList();

        var replies = await Task.WhenAll(bodies.Select(body => Raw.CallAsync(Endpoint, "TrentService." + operation, body)));

        AssertAllAwsClientErrors(operation, bodies, replies);
    }

    [Theory]
    [MemberData(nameof(OperationsWithBlobs))]
    public async Task Every_blob_member_given_junk_bytes_in_a_request_naming_real_keys_is_never_a_5xx(string operation)
    {
        var blobs = Members(operation).Where(m => m.Type == "blob").Select(m => m.Name).ToList();
        Assert.NotEmpty(blobs);
        var keys = await KeysAsync();
        var bodies = new List<string>();
        foreach (var keyId in keys)
        {
            foreach (var blob in blobs)
            {
                foreach (var junk in Junk())
                    bodies.Add(WellFormed(operation, keyId, blob, junk));
            }
        }

        var replies = await Task.WhenAll(bodies.Select(body => Raw.CallAsync(Endpoint, "TrentService." + operation, body)));

        AssertAllAwsClientErrors(operation, bodies, replies, successAllowed: true);
        var ciphertext = await Raw.EncryptAsync(Endpoint, keys[0], [4, 2]);
        Assert.Equal([4, 2], (await Raw.DecryptAsync(Endpoint, ciphertext)).AssertOk().GetProperty("Plaintext").GetBytesFromBase64());
    }

    [Fact]
    public async Task Junk_where_the_service_checks_bytes_it_issued_gets_the_exception_AWS_names_for_it()
    {
        var keys = await KeysAsync();
        var (symmetric, rsa, signing, hmac, agreement, external) = (keys[0], keys[1], keys[2], keys[3], keys[4], keys[5]);
        var junk = Junk().Where(j => j.Length >= 31).ToList();
        foreach (var bytes in junk)
        {
            var b64 = Convert.ToBase64String(bytes);
            (await Raw.CallAsync(Endpoint, "Decrypt", new { CiphertextBlob = b64 })).AssertError("InvalidCiphertextException");
            (await Raw.CallAsync(Endpoint, "Decrypt", new { CiphertextBlob = b64, KeyId = symmetric })).AssertError("InvalidCiphertextException");
            (await Raw.CallAsync(Endpoint, "Decrypt", new { CiphertextBlob = b64, KeyId = rsa, EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }))
                .AssertError("InvalidCiphertextException");
            (await Raw.CallAsync(Endpoint, "ReEncrypt", new { CiphertextBlob = b64, DestinationKeyId = symmetric })).AssertError("InvalidCiphertextException");
            (await Raw.CallAsync(Endpoint, "Verify", new { KeyId = signing, Message = "AQID", Signature = b64, SigningAlgorithm = "ECDSA_SHA_256" }))
                .AssertError("KMSInvalidSignatureException");
            (await Raw.CallAsync(Endpoint, "VerifyMac", new { KeyId = hmac, Message = "AQID", Mac = b64, MacAlgorithm = "HMAC_SHA_256" }))
                .AssertError("KMSInvalidMacException");
            (await Raw.CallAsync(Endpoint, "DeriveSharedSecret", new { KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = b64 }))
                .AssertError("ValidationException");
            (await Raw.CallAsync(Endpoint, "ImportKeyMaterial",
                    new { KeyId = external, ImportToken = b64, EncryptedKeyMaterial = b64, ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE" }))
                .AssertError("InvalidImportTokenException");
        }
    }

    /// <summary>A request every member of which is plausible, with the junk in one blob member.</summary>
    private static string WellFormed(string operation, string keyId, string blobMember, byte[] junk)
    {
        var body = new JsonObject();
        foreach (var (name, type) in Members(operation))
        {
            if (name == blobMember) body[name] = Convert.ToBase64String(junk);
            else if (name is "KeyId" or "DestinationKeyId" or "SourceKeyId") body[name] = keyId;
            else if (type == "blob") body[name] = Convert.ToBase64String(new byte[32]);
        }

        foreach (var (name, value) in Plausible)
        {
            if (Members(operation).Any(m => m.Name == name) && !body.ContainsKey(name)) body[name] = value;
        }

        return body.ToJsonString();
    }

    /// <summary>Algorithm members that make the request get as far as the key's cryptography where they fit it.</summary>
    private static readonly (string Name, string Value)[] Plausible =
    [
        ("SigningAlgorithm", "ECDSA_SHA_256"), ("MessageType", "RAW"), ("MacAlgorithm", "HMAC_SHA_256"),
        ("EncryptionAlgorithm", "RSAES_OAEP_SHA_256"), ("KeyAgreementAlgorithm", "ECDH"), ("KeySpec", "AES_256"),
        ("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE"),
    ];

    private static IEnumerable<byte[]> Junk()
    {
        var random = new Random(20261129);
        foreach (var length in new[] { 1, 31, 64, 256, 512, 4096 })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            yield return bytes;
        }

        yield return [0x30, 0x82, 0xFF, 0xFF, 0x06, 0x07]; // a DER SEQUENCE announcing 64 KiB and ending at once
    }

    /// <summary>One key of each kind whose operations take blobs: symmetric, RSA encryption, ECC signing, HMAC, ECDH.</summary>
    private async Task<string[]> KeysAsync()
    {
        var specs = new (string Spec, string Usage)[]
        {
            ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("RSA_2048", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "SIGN_VERIFY"),
            ("HMAC_256", "GENERATE_VERIFY_MAC"), ("ECC_NIST_P256", "KEY_AGREEMENT"),
        };
        var keys = await Task.WhenAll(specs.Select(async s =>
            (await Raw.CallAsync(Endpoint, "CreateKey", new { KeySpec = s.Spec, KeyUsage = s.Usage })).AssertOk()
                .GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!));
        // A key waiting for imported material, so junk in the import operations' blobs reaches the token and material checks.
        var external = (await Raw.CallAsync(Endpoint, "CreateKey", new { Origin = "EXTERNAL" })).AssertOk()
            .GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        return [.. keys, external];
    }

    /// <summary>
    /// Every reply is a 4xx with an AWS <c>__type</c> that the model declares for the operation or that the protocol
    /// allows everywhere (or a 200 where <paramref name="successAllowed"/>).
    /// </summary>
    private static void AssertAllAwsClientErrors(string operation, IReadOnlyList<string> bodies, IReadOnlyList<RawReply> replies, bool successAllowed = false)
    {
        var declared = Declared(operation);
        // An operation not built yet answers UnsupportedOperationException (the README lists them), whatever its model says.
        if (OrleansKms.Gateway.Operations.OperationTable.NotYetImplemented.Contains(operation)) declared.Add(nameof(KmsErrorCode.UnsupportedOperationException));
        var undeclared = replies.Where(r => r.Type is { } type && !declared.Contains(type) && !ProtocolErrors.Contains(type)).Select(r => r.Type).Distinct().ToList();
        Assert.True(undeclared.Count == 0, $"{operation} answered errors its model does not declare: {string.Join(", ", undeclared)}");
        var wrong = bodies.Zip(replies)
            .Where(p => !(successAllowed && p.Second.Status == HttpStatusCode.OK)
                && ((int)p.Second.Status is < 400 or >= 500 || p.Second.Type is null))
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {bodies.Count} requests did not get a 4xx AWS error:\n" +
            string.Join('\n', wrong.Take(20).Select(p => $"{p.First} -> {(int)p.Second.Status} {p.Second.Body}")));
        Assert.DoesNotContain(replies, r => r.Status == HttpStatusCode.InternalServerError);
    }
}
