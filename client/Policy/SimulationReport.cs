using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansKms.Policy;

namespace OrleansKms.Cli.Policy;

/// <summary>A simulation as <c>kms policy simulate</c> prints it: text for a reader, or JSON (<see cref="SimulationJson"/>).</summary>
internal static class SimulationReport
{
    /// <summary>The simulation as JSON's object model; <paramref name="identityPolicyFiles"/> name the identity policies by index.</summary>
    public static SimulationJson ToJson(Simulation s, IReadOnlyList<string> identityPolicyFiles)
    {
        var d = s.Decision;
        return new SimulationJson(
            d.Allowed ? "ALLOW" : "DENY", d.Allowed, d.Kind.ToString(), Reason(s), d.AllowedByGrant,
            s.Request.Principal.Arn, s.Request.Action, s.Request.Resource,
            [.. s.Statements.Select(x => Statement(x.Source, x.Statement, identityPolicyFiles))],
            d.Allowed ? null : d.DenialMessage(s.Request), s.Rule, s.Notes,
            new SortedDictionary<string, IReadOnlyList<string>>(
                s.Request.ConditionKeys.ToDictionary(k => k.Key, k => k.Value.Values), StringComparer.OrdinalIgnoreCase));
    }

    public static void WriteJson(TextWriter output, Simulation s, IReadOnlyList<string> identityPolicyFiles) =>
        output.WriteLine(JsonSerializer.Serialize(ToJson(s, identityPolicyFiles), SimulationJsonContext.Default.SimulationJson));

    public static void WriteText(TextWriter output, Simulation s, IReadOnlyList<string> identityPolicyFiles)
    {
        var json = ToJson(s, identityPolicyFiles);
        output.WriteLine(json.Reason is null ? json.Decision : $"{json.Decision} ({json.Reason})");
        foreach (var st in json.Statements)
        {
            var file = st.File is null ? "" : $" ({st.File})";
            var sid = st.Sid is null ? "(no Sid)" : $"\"{st.Sid}\"";
            var how = st.Principal == nameof(PrincipalMatch.Account) && s.Request.Principal.Type != PrincipalTypes.Account
                ? ", naming the account: an identity policy must allow too" : "";
            output.WriteLine($"  {st.Source}{file}, statement {st.Index} {sid}: {st.Effect}{how}");
        }

        if (json.Message is not null) output.WriteLine($"AWS's message: {json.Message}");
        foreach (var note in json.Notes) output.WriteLine($"Note: {note}");
        output.WriteLine($"Request: {json.Action} on {json.Resource} by {json.Principal}");
        foreach (var (key, values) in json.Context)
            output.WriteLine($"  {key} = {(values.Count == 1 ? values[0] : "[" + string.Join(", ", values) + "]")}");
    }

    /// <summary>Why, in a few words: null for a plain allow.</summary>
    private static string? Reason(Simulation s)
    {
        var d = s.Decision;
        if (s.Rule is not null) return s.Rule;
        return d.Kind switch
        {
            KmsDecisionKind.Allow => d.AllowedByGrant ? "by a grant" : null,
            KmsDecisionKind.ExplicitDenyInResourcePolicy => "explicit deny in the key policy",
            KmsDecisionKind.ExplicitDenyInIdentityPolicy => "explicit deny in an identity policy",
            KmsDecisionKind.NoResourcePolicyAllows => "no key policy statement allows the principal or its account",
            KmsDecisionKind.NoIdentityPolicyAllows when !s.KeyPolicyConsulted => "no identity policy allows",
            KmsDecisionKind.NoIdentityPolicyAllows when s.Statements.All(x => x.Statement.Principal == PrincipalMatch.Account) =>
                "the key policy leaves the action to IAM, and no identity policy allows",
            _ => "the key policy allows, but the key is in another account, and no identity policy allows",
        };
    }

    private static StatementJson Statement(string source, StatementMatch m, IReadOnlyList<string> files)
    {
        var identity = source.StartsWith("IdentityPolicy[", StringComparison.Ordinal) && int.TryParse(source.AsSpan(15, source.Length - 16), out var i) ? i : -1;
        return new StatementJson(
            identity < 0 ? "key policy" : $"identity policy {identity}",
            identity >= 0 && identity < files.Count ? files[identity] : null,
            m.Index, m.Sid, m.Effect, m.Principal.ToString());
    }
}

/// <summary>One deciding statement: its source ("key policy" or "identity policy N", with the file), index from 0, Sid, effect, how its Principal took in the caller.</summary>
internal sealed record StatementJson(string Source, string? File, int Index, string? Sid, string Effect, string Principal);

/// <summary><c>kms policy simulate --output json</c>.</summary>
internal sealed record SimulationJson(
    string Decision,
    bool Allowed,
    string Kind,
    string? Reason,
    bool AllowedByGrant,
    string Principal,
    string Action,
    string Resource,
    IReadOnlyList<StatementJson> Statements,
    string? Message,
    string? Rule,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Context);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SimulationJson))]
internal sealed partial class SimulationJsonContext : JsonSerializerContext;
