using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OrleansKms.Policy.Evaluation;
using OrleansKms.Policy.Matching;

namespace OrleansKms.Policy.Conditions;

/// <summary>
/// IpAddress and NotIpAddress: policy values are CIDR blocks (203.0.113.0/24, 2001:DB8::/32) or single addresses;
/// the request value is an address. An IPv4-mapped IPv6 request address is compared as IPv4.
/// </summary>
internal sealed class IpMatcher(IReadOnlyList<string> values) : ValueMatcher
{
    private readonly Block[] _blocks = [.. values.Select(Block.Parse).OfType<Block>()];

    public override Outcome MatchAny(in ResolvedKey key, int index, RequestContext request)
    {
        if (!IPAddress.TryParse(key.GetString(index), out var address) || _blocks.Length == 0) return Outcome.Invalid;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length)) return Outcome.Invalid;
        foreach (var block in _blocks)
        {
            if (block.Family == address.AddressFamily && block.Contains(bytes[..length])) return Outcome.Match;
        }

        return Outcome.NoMatch;
    }

    private sealed record Block(AddressFamily Family, byte[] Network, int PrefixBits)
    {
        public static Block? Parse(string text)
        {
            var slash = text.IndexOf('/');
            var addressText = slash < 0 ? text : text[..slash];
            if (!IPAddress.TryParse(addressText, out var address)) return null;
            var bytes = address.GetAddressBytes();
            var prefix = bytes.Length * 8;
            if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bytes.Length * 8))
                return null;
            return new(address.AddressFamily, bytes, prefix);
        }

        public bool Contains(ReadOnlySpan<byte> address)
        {
            var fullBytes = PrefixBits / 8;
            if (!address[..fullBytes].SequenceEqual(Network.AsSpan(0, fullBytes))) return false;
            var rest = PrefixBits % 8;
            if (rest == 0) return true;
            var mask = (byte)(0xFF << (8 - rest));
            return (address[fullBytes] & mask) == (Network[fullBytes] & mask);
        }
    }
}
