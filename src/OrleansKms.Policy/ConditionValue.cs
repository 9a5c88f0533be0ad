using System.Globalization;
using System.Net;

namespace OrleansKms.Policy;

/// <summary>
/// The value of one condition key in a request: one or more strings, as AWS puts them in the request context.
/// Typing is the operator's business (a Numeric operator reads the strings as numbers, a Date operator as ISO 8601
/// dates or epoch seconds, IpAddress as addresses, BinaryEquals as base64), so the factories below only write
/// numbers, dates, addresses and bytes in the form those operators read. A multivalued key (aws:TagKeys,
/// kms:GrantOperations) holds several strings; <see cref="Empty"/> is a key present with no value.
/// </summary>
public sealed class ConditionValue
{
    private readonly string[] _values;

    private ConditionValue(string[] values) => _values = values;

    /// <summary>A key present in the request with no value (an empty multivalued key).</summary>
    public static ConditionValue Empty { get; } = new([]);

    /// <summary>The values, in request order.</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>How many values the key has.</summary>
    public int Count => _values.Length;

    /// <summary>The value at <paramref name="index"/>.</summary>
    public string this[int index] => _values[index];

    /// <summary>One string value.</summary>
    public static ConditionValue Of(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new([value]);
    }

    /// <summary>Several string values (a multivalued key).</summary>
    public static ConditionValue Of(params string[] values) => Of((IEnumerable<string>)values);

    /// <summary>Several string values (a multivalued key).</summary>
    public static ConditionValue Of(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = values.ToArray();
        if (Array.IndexOf(copy, null) >= 0) throw new ArgumentException("A condition value cannot be null.", nameof(values));
        return copy.Length == 0 ? Empty : new(copy);
    }

    /// <summary>A boolean, written "true" or "false" as the Bool operator reads it.</summary>
    public static ConditionValue Of(bool value) => value ? True : False;

    private static readonly ConditionValue True = new(["true"]);
    private static readonly ConditionValue False = new(["false"]);

    /// <summary>An integer, written in invariant culture.</summary>
    public static ConditionValue Of(long value) => new([value.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>A number, written in invariant culture.</summary>
    public static ConditionValue Of(decimal value) => new([value.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>A date and time, written in ISO 8601 UTC (yyyy-MM-ddTHH:mm:ssZ) as AWS writes aws:CurrentTime.</summary>
    public static ConditionValue Of(DateTimeOffset value) => new([FormatDate(value)]);

    /// <summary>An IPv4 or IPv6 address, as aws:SourceIp holds it.</summary>
    public static ConditionValue Of(IPAddress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new([value.ToString()]);
    }

    /// <summary>Binary data, written in base64 as BinaryEquals reads it.</summary>
    public static ConditionValue OfBinary(ReadOnlySpan<byte> value) => new([Convert.ToBase64String(value)]);

    /// <summary>A single string value.</summary>
    public static implicit operator ConditionValue(string value) => Of(value);

    /// <inheritdoc/>
    public override string ToString() => _values.Length == 1 ? _values[0] : "[" + string.Join(", ", _values) + "]";

    internal static string FormatDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
