namespace OrleansKms;

/// <summary>Key ids as AWS forms them: a lower-case UUID, or <c>mrk-</c> and 32 hex digits for multi-Region keys.</summary>
public static class KeyIds
{
    public const string MultiRegionPrefix = "mrk-";

    public static string NewSingleRegion() => Guid.NewGuid().ToString("D");

    public static string NewMultiRegion() => MultiRegionPrefix + Guid.NewGuid().ToString("N");

    public static bool IsValid(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId)) return false;
        if (keyId.StartsWith(MultiRegionPrefix, StringComparison.Ordinal))
        {
            var hex = keyId.AsSpan(MultiRegionPrefix.Length);
            return hex.Length == 32 && IsLowerHex(hex);
        }

        return keyId.Length == 36 && Guid.TryParseExact(keyId, "D", out _) && keyId == keyId.ToLowerInvariant();
    }

    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        }

        return true;
    }
}
