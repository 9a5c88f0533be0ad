using System.Text.Json.Nodes;

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// AWS's answers as LocalStack's parity tests recorded them from AWS (<c>../shared/reference/aws-recorded-kms-responses.json</c>;
/// the tests' copy is in <c>tests/OrleansKms.UnitTests/Reference/</c>), and the comparison of a whole answer of this
/// service with one. A recording is botocore's reading of AWS's body: an error's <c>Error.Message</c> is "" when
/// AWS's body had no <c>message</c> member, and values that differ per run are masked (<c>&lt;key-arn&gt;</c>,
/// <c>datetime</c>, <c>ciphertext-blob</c>, ...).
/// </summary>
internal static class RecordedAws
{
    /// <summary>The recordings' account id, which the recordings leave unmasked.</summary>
    public const string Account = "111111111111";

    private static readonly string[] Masks =
    [
        "datetime", "ciphertext-blob", "plaintext", "shared-secret", "public-key", "private-key-ciphertext-blob", "private-key-plaintext",
    ];

    private static readonly Lazy<JsonObject> All = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "aws-recorded-kms-responses.json")))!.AsObject());

    /// <summary>One recorded answer: <paramref name="test"/> is the recorded test's name (after its last <c>::</c>), <paramref name="entry"/> the answer's name.</summary>
    public static JsonObject Entry(string test, string entry)
    {
        var recorded = All.Value.Single(t => t.Key.EndsWith("::" + test, StringComparison.Ordinal)).Value!["recorded-content"]![entry];
        var copy = (recorded ?? throw new ArgumentException($"{test} recorded no {entry}.")).DeepClone().AsObject();
        copy.Remove("ResponseMetadata");
        return copy;
    }

    /// <summary>
    /// The JSON body AWS sent for a recorded error: its <c>__type</c>, and a <c>message</c> only where AWS sent one.
    /// Each (mask, value) pair puts back what the recording masked.
    /// </summary>
    public static JsonObject ErrorBody(string test, string entry, params (string Mask, string Value)[] unmask)
    {
        var error = Entry(test, entry)["Error"]!;
        var body = new JsonObject { ["__type"] = (string)error["Code"]! };
        var message = (string)error["Message"]!;
        foreach (var (mask, value) in unmask) message = message.Replace(mask, value, StringComparison.Ordinal);
        if (message.Length > 0) body["message"] = message;
        return body;
    }

    /// <summary>Asserts an answer is exactly <paramref name="expected"/>: the same members with the same values, nothing more.</summary>
    public static void AssertBody(JsonNode expected, string actualBody)
    {
        var actual = JsonNode.Parse(actualBody);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected {expected.ToJsonString()}; got {actualBody}");
    }

    /// <summary>
    /// Asserts <paramref name="actual"/> has exactly the members of <paramref name="recorded"/>, at every level, with the
    /// recorded value wherever the recording kept it (the recordings' account id read as <paramref name="account"/>);
    /// a masked value need only be present.
    /// </summary>
    public static void AssertSameShape(JsonNode recorded, JsonNode? actual, string account)
    {
        var problems = new List<string>();
        Compare(recorded, actual, "$", account, problems);
        Assert.True(problems.Count == 0, $"{string.Join("; ", problems)}\nrecorded: {recorded.ToJsonString()}\nanswered: {actual?.ToJsonString()}");
    }

    private static void Compare(JsonNode recorded, JsonNode? actual, string path, string account, List<string> problems)
    {
        switch (recorded)
        {
            case JsonObject r when actual is JsonObject o:
                foreach (var extra in o.Select(m => m.Key).Except(r.Select(m => m.Key))) problems.Add($"{path}.{extra} is not in AWS's answer");
                foreach (var (name, value) in r)
                {
                    if (!o.ContainsKey(name)) problems.Add($"{path}.{name} is missing");
                    else Compare(value!, o[name], $"{path}.{name}", account, problems);
                }

                break;
            case JsonArray r when actual is JsonArray list:
                if (r.Count != list.Count) problems.Add($"{path} has {list.Count} items, AWS's {r.Count}");
                else for (var i = 0; i < r.Count; i++) Compare(r[i]!, list[i], $"{path}[{i}]", account, problems);
                break;
            case JsonValue r when r.TryGetValue<string>(out var s) && (s.Contains('<') || Masks.Contains(s)):
                if (actual is null) problems.Add($"{path} is null");
                break;
            case JsonValue r when r.TryGetValue<string>(out var s):
                if (actual is not JsonValue answered || !answered.TryGetValue<string>(out var v) || v != s.Replace(Account, account, StringComparison.Ordinal))
                    problems.Add($"{path} is {actual?.ToJsonString()}, AWS's \"{s}\"");
                break;
            default:
                if (!JsonNode.DeepEquals(recorded, actual)) problems.Add($"{path} is {actual?.ToJsonString()}, AWS's {recorded.ToJsonString()}");
                break;
        }
    }
}
