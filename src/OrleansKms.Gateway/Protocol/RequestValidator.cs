using System.Text;

namespace OrleansKms.Gateway.Protocol;

/// <summary>
/// Collects the constraint violations of one request and reports them in AWS's wording:
/// <c>1 validation error detected: Value 'x' at 'keyId' failed to satisfy constraint: Member must ...</c>.
/// Member names in messages are the wire names with a lower-case first letter, as AWS writes them.
/// </summary>
public sealed class RequestValidator
{
    private readonly List<string> _errors = [];
    private bool _badGrantToken;

    public RequestValidator Required(object? value, string member)
    {
        if (value is null) _errors.Add($"Value null at '{Member(member)}' failed to satisfy constraint: Member must not be null");
        return this;
    }

    public RequestValidator Length(string? value, string member, int min, int max)
    {
        if (value is null) return this;
        if (value.Length < min) Add(value, member, $"Member must have length greater than or equal to {min}");
        else if (value.Length > max) Add(value, member, $"Member must have length less than or equal to {max}");
        return this;
    }

    /// <summary>Length of a blob; its value is never echoed (blobs here are sensitive or binary).</summary>
    public RequestValidator Length(byte[]? value, string member, int min, int max)
    {
        if (value is null) return this;
        if (value.Length < min) _errors.Add($"Value at '{Member(member)}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        else if (value.Length > max) _errors.Add($"Value at '{Member(member)}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        return this;
    }

    public RequestValidator Range(int? value, string member, int min, int max)
    {
        if (value is null) return this;
        if (value < min) Add(value.Value.ToString(), member, $"Member must have value greater than or equal to {min}");
        else if (value > max) Add(value.Value.ToString(), member, $"Member must have value less than or equal to {max}");
        return this;
    }

    public RequestValidator Enum(string? value, string member, IReadOnlyList<string> allowed)
    {
        if (value is not null && !allowed.Contains(value))
            Add(value, member, $"Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        return this;
    }

    public RequestValidator Pattern(string? value, string member, Func<char, bool> allowedChar, string pattern)
    {
        if (value is not null && !value.All(allowedChar)) Add(value, member, $"Member must satisfy regular expression pattern: {pattern}");
        return this;
    }

    public RequestValidator Count<T>(IReadOnlyCollection<T>? value, string member, int min, int max)
    {
        if (value is null) return this;
        if (value.Count < min) _errors.Add($"Value '{value.Count}' at '{Member(member)}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        else if (value.Count > max) _errors.Add($"Value at '{Member(member)}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        return this;
    }

    /// <summary>
    /// Grant tokens: at most 10, each 1 to 8192 characters, and each one this service issued (else, once the request
    /// is otherwise valid, InvalidGrantTokenException) where the operation declares that error: every operation with
    /// GrantTokens but DescribeKey (<paramref name="checkIssued"/> false). The key's authorization checks each token's MAC.
    /// </summary>
    public RequestValidator GrantTokens(List<string?>? tokens, bool checkIssued = true)
    {
        Count(tokens, "GrantTokens", 0, 10);
        if (tokens is null) return this;
        for (var i = 0; i < tokens.Count; i++) Required(tokens[i], $"GrantTokens.{i + 1}.member").Length(tokens[i], $"GrantTokens.{i + 1}.member", 1, 8192);
        _badGrantToken = checkIssued && tokens.Any(t => t is { Length: > 0 and <= 8192 } && !GrantIds.IsToken(t));
        return this;
    }

    /// <summary>A key policy's characters: the model's <c>[\u0009\u000A\u000D\u0020-\u00FF]+</c>.</summary>
    public RequestValidator PolicyText(string? policy) =>
        Pattern(policy, "Policy", c => c is '\t' or '\n' or '\r' or (>= '\u0020' and <= '\u00FF'), "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");

    /// <summary>Encryption context values must be strings (JSON null is refused).</summary>
    public RequestValidator Context(Dictionary<string, string?>? context, string member)
    {
        if (context is null) return this;
        foreach (var (k, v) in context)
        {
            if (v is null) _errors.Add($"Value null at '{Member(member)}.{k}' failed to satisfy constraint: Member must not be null");
        }

        return this;
    }

    /// <summary>Throws the ValidationException for everything collected, if anything.</summary>
    public void ThrowIfInvalid()
    {
        if (_errors.Count == 0 && _badGrantToken) throw new KmsException(KmsErrorCode.InvalidGrantTokenException, "Invalid grant token.");
        if (_errors.Count == 0) return;
        var message = new StringBuilder()
            .Append(_errors.Count).Append(_errors.Count == 1 ? " validation error detected: " : " validation errors detected: ")
            .AppendJoin("; ", _errors)
            .ToString();
        throw KmsException.Validation(message);
    }

    private void Add(string value, string member, string constraint) =>
        _errors.Add($"Value '{value}' at '{Member(member)}' failed to satisfy constraint: {constraint}");

    private static string Member(string member) => member.Length == 0 ? member : char.ToLowerInvariant(member[0]) + member[1..];
}
