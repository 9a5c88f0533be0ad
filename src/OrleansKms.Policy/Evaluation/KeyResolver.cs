using System.Globalization;

namespace OrleansKms.Policy.Evaluation;

/// <summary>The global condition keys the evaluator answers itself from the caller and the clock.</summary>
internal enum GlobalKey : byte
{
    None,
    PrincipalArn,
    PrincipalAccount,
    PrincipalType,
    UserId,
    UserName,
    PrincipalTag,
    PrincipalServiceName,
    CurrentTime,
    EpochTime,
}

/// <summary>A condition key (or policy variable) named in a policy, classified once at parse.</summary>
internal sealed class KeyRef
{
    private const string PrincipalTagPrefix = "aws:PrincipalTag/";

    private KeyRef(string name, GlobalKey global, string? tagKey)
    {
        Name = name;
        Global = global;
        TagKey = tagKey;
    }

    public string Name { get; }

    public GlobalKey Global { get; }

    public string? TagKey { get; }

    public static KeyRef Of(string name)
    {
        if (name.StartsWith(PrincipalTagPrefix, StringComparison.OrdinalIgnoreCase))
            return new(name, GlobalKey.PrincipalTag, name[PrincipalTagPrefix.Length..]);
        var global = name.ToUpperInvariant() switch
        {
            "AWS:PRINCIPALARN" => GlobalKey.PrincipalArn,
            "AWS:PRINCIPALACCOUNT" => GlobalKey.PrincipalAccount,
            "AWS:PRINCIPALTYPE" => GlobalKey.PrincipalType,
            "AWS:USERID" => GlobalKey.UserId,
            "AWS:USERNAME" => GlobalKey.UserName,
            "AWS:PRINCIPALSERVICENAME" => GlobalKey.PrincipalServiceName,
            "AWS:CURRENTTIME" => GlobalKey.CurrentTime,
            "AWS:EPOCHTIME" => GlobalKey.EpochTime,
            _ => GlobalKey.None,
        };
        return new(name, global, null);
    }
}

/// <summary>
/// The values a request has for one key: the request's own values when it sends the key, otherwise what the
/// caller or the clock says for a global key, otherwise absent. Times stay typed until a string is asked for, so a
/// Date or Numeric condition on aws:CurrentTime or aws:EpochTime formats and parses nothing.
/// </summary>
internal readonly struct ResolvedKey
{
    private readonly ConditionValue? _many;
    private readonly string? _one;
    private readonly DateTimeOffset _time;
    private readonly GlobalKey _timeKind;

    private ResolvedKey(ConditionValue? many, string? one, DateTimeOffset time, GlobalKey timeKind)
    {
        _many = many;
        _one = one;
        _time = time;
        _timeKind = timeKind;
    }

    public bool Present => _many is not null || _one is not null || _timeKind != GlobalKey.None;

    public int Count => _many?.Count ?? (Present ? 1 : 0);

    public static ResolvedKey Resolve(KeyRef key, RequestContext request)
    {
        if (request.TryGetConditionKey(key.Name, out var sent)) return new(sent, null, default, GlobalKey.None);
        var p = request.Principal;
        var isPerson = p.Type is not (PrincipalTypes.Service or PrincipalTypes.Anonymous);
        string? value = key.Global switch
        {
            GlobalKey.PrincipalArn when isPerson => p.Type == PrincipalTypes.AssumedRole ? p.RoleArn ?? p.Arn : p.Arn,
            GlobalKey.PrincipalAccount when isPerson && p.AccountId.Length > 0 => p.AccountId,
            GlobalKey.PrincipalType when p.Type != PrincipalTypes.Service => p.Type,
            GlobalKey.UserId => p.UserId ?? (p.Type == PrincipalTypes.Account ? p.AccountId : p.Type == PrincipalTypes.Anonymous ? "anonymous" : null),
            GlobalKey.UserName when p.Type == PrincipalTypes.User => p.UserName ?? p.Arn[(p.Arn.LastIndexOf('/') + 1)..],
            GlobalKey.PrincipalTag => p.Tags.TryGetValue(key.TagKey!, out var tag) ? tag : null,
            GlobalKey.PrincipalServiceName when p.Type == PrincipalTypes.Service => p.ServicePrincipal,
            _ => null,
        };
        if (value is not null) return new(null, value, default, GlobalKey.None);
        return key.Global is GlobalKey.CurrentTime or GlobalKey.EpochTime
            ? new(null, null, request.Now, key.Global)
            : default;
    }

    public string GetString(int index) =>
        _many is not null ? _many[index]
        : _one ?? (_timeKind == GlobalKey.EpochTime
            ? _time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
            : ConditionValue.FormatDate(_time));

    /// <summary>The single value a policy variable stands for; null when the key is absent or multivalued (IAM substitutes neither).</summary>
    public string? SingleValue() => Count == 1 ? GetString(0) : null;

    public bool TryGetDate(int index, out DateTimeOffset date)
    {
        if (_timeKind != GlobalKey.None)
        {
            date = _time;
            return true;
        }

        return PolicyValues.TryParseDate(_many is not null ? _many[index] : _one, out date);
    }

    public bool TryGetNumber(int index, out decimal number)
    {
        if (_timeKind == GlobalKey.EpochTime)
        {
            number = _time.ToUnixTimeSeconds();
            return true;
        }

        if (_timeKind == GlobalKey.CurrentTime)
        {
            number = 0;
            return false;
        }

        return PolicyValues.TryParseNumber(_many is not null ? _many[index] : _one, out number);
    }
}

/// <summary>How AWS reads typed values: numbers in invariant culture, dates as ISO 8601 or epoch seconds.</summary>
internal static class PolicyValues
{
    public static bool TryParseNumber(ReadOnlySpan<char> text, out decimal number) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    public static bool TryParseDate(ReadOnlySpan<char> text, out DateTimeOffset date)
    {
        date = default;
        if (text.IsEmpty) return false;
        if (IsEpoch(text))
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)) return false;
            if (seconds < -62135596800 || seconds > 253402300799) return false;
            date = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }

    private static bool IsEpoch(ReadOnlySpan<char> text)
    {
        var digits = text[0] == '-' ? text[1..] : text;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }
}
