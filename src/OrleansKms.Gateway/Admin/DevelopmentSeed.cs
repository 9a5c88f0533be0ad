using System.Text;
using OrleansKms.Gateway.Operations;

namespace OrleansKms.Gateway.Admin;

/// <summary>
/// Applies a <see cref="SeedDocument"/>: every key is checked as CreateKey checks its request (and its material as
/// AWS checks imported material) before any is created, so a bad seed changes nothing; then each key is created
/// unless a key of that id exists, and its aliases unless they exist. Applying the same seed again changes nothing.
/// </summary>
public static class DevelopmentSeed
{
    /// <summary>What applying a seed did, key by key.</summary>
    public sealed record Outcome(string KeyId, string Account, bool Created, IReadOnlyList<string> AliasesCreated, IReadOnlyList<string> AliasesElsewhere);

    /// <exception cref="InvalidDataException">The seed is not valid; the message names the key and the field.</exception>
    public static async Task<IReadOnlyList<Outcome>> ApplyAsync(SeedDocument seed, IKmsDevelopmentAdmin admin, string region, string defaultAccount, string source)
    {
        var keys = seed.Keys.Select((key, i) => Check(key, i, region, defaultAccount, source)).ToList();
        var duplicate = keys.GroupBy(k => k.Arn).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"{source}: key id {duplicate.Key.KeyId} appears more than once.");
        var outcomes = new List<Outcome>(keys.Count);
        foreach (var key in keys)
        {
            var result = await admin.SeedKeyAsync(key);
            outcomes.Add(new Outcome(key.Arn.KeyId, key.Arn.AccountId, result.Created, result.AliasesCreated, result.AliasesElsewhere));
        }

        return outcomes;
    }

    private static SeededKey Check(SeedKey key, int index, string region, string defaultAccount, string source)
    {
        var where = $"{source}: keys[{index}]{(key.Id is null ? "" : $" ({key.Id})")}";
        InvalidDataException Bad(string field, string message) => new($"{where}: {field}: {message}");
        if (!KeyIds.IsValid(key.Id)) throw Bad("id", "a key id is required: a lower-case UUID such as 0b6f1a37-5e4a-4f0e-9d52-6a8c3c1e2f10.");
        var account = key.Account ?? defaultAccount;
        if (account.Length != 12 || !account.All(char.IsAsciiDigit)) throw Bad("account", "an account id is 12 digits.");
        if (key.Description is { Length: > 8192 }) throw Bad("description", "at most 8192 characters.");
        var spec = key.KeySpec ?? KmsValues.SymmetricDefault;
        if (key.KeyUsage is null && spec != KmsValues.SymmetricDefault) throw Bad("keyUsage", $"required for a {spec} key.");
        var usage = key.KeyUsage ?? KmsValues.EncryptDecrypt;
        var caller = new KmsCaller(account, $"arn:{KeyArn.PartitionOf(region)}:iam::{account}:root", "seed");
        var tags = key.Tags.Select(t => new KeyTag(t.Key, t.Value)).ToList();
        Rule("keySpec/keyUsage", () => KeySpecRules.EnsureCreatable(spec, usage, region));
        Rule("tags", () => Tags.CheckRules(tags));
        if (tags.FirstOrDefault(t => t.TagKey.Length is < 1 or > 128 || t.TagValue.Length > 256) is { } badTag)
            throw Bad("tags", $"tag '{badTag.TagKey}': keys are 1 to 128 characters, values at most 256.");
        if (key.Policy is not null) Rule("policy", () => KeyPolicyDocument.Check(key.Policy));
        foreach (var alias in key.Aliases) Rule("aliases", () => AliasNames.EnsureCreatable(alias));
        if (key.RotationPeriodInDays is { } days)
        {
            if (spec != KmsValues.SymmetricDefault) throw Bad("rotationPeriodInDays", $"a {spec} key does not rotate.");
            if (days is < 90 or > 2560) throw Bad("rotationPeriodInDays", "90 to 2560 days.");
        }

        var material = key.Material is null ? null : Material(key.Material, spec, Bad);
        return new SeededKey(
            new KeyArn(region, account, key.Id!),
            new CreateKeyCommand { Caller = caller, Description = key.Description ?? "", KeySpec = spec, KeyUsage = usage, Tags = tags, Policy = key.Policy, BypassPolicyLockoutSafetyCheck = true },
            material,
            key.Enabled,
            key.RotationPeriodInDays,
            key.Aliases);

        void Rule(string field, Action check)
        {
            try
            {
                check();
            }
            catch (KmsException e)
            {
                throw Bad(field, e.Message);
            }
        }
    }

    /// <summary>Base64 bytes, or a PEM block's, checked against the spec as imported material is.</summary>
    private static byte[] Material(string text, string spec, Func<string, string, InvalidDataException> bad)
    {
        var body = text.Trim();
        if (body.StartsWith("-----BEGIN ", StringComparison.Ordinal))
        {
            var lines = body.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal));
            body = string.Concat(lines);
        }

        try
        {
            var bytes = Convert.FromBase64String(body);
            if (OrleansKms.Crypto.Keys.KeySpecCatalog.Get(spec).MaterialProblem(bytes) is { } problem) throw bad("material", problem);
            return bytes;
        }
        catch (FormatException)
        {
            throw bad("material", $"base64 of the {spec} key material (or a PEM private key) expected.");
        }
    }

    /// <summary>A one-line account of a seed's outcome.</summary>
    public static string Describe(IReadOnlyList<Outcome> outcomes)
    {
        var sb = new StringBuilder();
        sb.Append(outcomes.Count(o => o.Created)).Append(" keys created, ").Append(outcomes.Count(o => !o.Created)).Append(" already there");
        var elsewhere = outcomes.SelectMany(o => o.AliasesElsewhere).ToList();
        if (elsewhere.Count > 0) sb.Append("; aliases left pointing elsewhere: ").AppendJoin(", ", elsewhere);
        return sb.ToString();
    }
}
