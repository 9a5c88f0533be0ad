using Microsoft.Extensions.Primitives;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway.Sts;

/// <summary>One verified STS request: who signed it, its form parameters, and where it came from.</summary>
internal sealed record StsCall(KmsIdentity Caller, IReadOnlyDictionary<string, StringValues> Form, string? SourceIp, bool SecureTransport)
{
    /// <summary>A parameter's value, or null when the request does not give it.</summary>
    public string? Parameter(string name) => Form.TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>The caller as authorization sees it.</summary>
    public KmsCaller ToKmsCaller() => Caller.ToCaller(SourceIp, SecureTransport);
}
