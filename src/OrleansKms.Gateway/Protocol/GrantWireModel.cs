using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Protocol;

public sealed class GrantConstraintsDto
{
    public Dictionary<string, string?>? EncryptionContextSubset { get; init; }
    public Dictionary<string, string?>? EncryptionContextEquals { get; init; }
    public string? SourceArn { get; init; }
}

public sealed class CreateGrantRequest
{
    public string? KeyId { get; init; }
    public string? GranteePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public List<string?>? Operations { get; init; }
    public GrantConstraintsDto? Constraints { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public string? Name { get; init; }
    public bool? DryRun { get; init; }
    public string? GranteeServicePrincipal { get; init; }
    public string? RetiringServicePrincipal { get; init; }
}

public sealed record CreateGrantResponse(string GrantToken, string GrantId);

public sealed class ListGrantsRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
    public string? KeyId { get; init; }
    public string? GrantId { get; init; }
    public string? GranteePrincipal { get; init; }
    public string? GranteeServicePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public string? RetiringServicePrincipal { get; init; }
}

public sealed class RetireGrantRequest
{
    public string? GrantToken { get; init; }
    public string? KeyId { get; init; }
    public string? GrantId { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record GrantConstraintsWire(
    Dictionary<string, string>? EncryptionContextSubset, Dictionary<string, string>? EncryptionContextEquals, string? SourceArn);

public sealed record GrantListEntryDto(
    string KeyId,
    string GrantId,
    string? Name,
    double CreationDate,
    string? GranteePrincipal,
    string? RetiringPrincipal,
    string IssuingAccount,
    IReadOnlyList<string> Operations,
    GrantConstraintsWire? Constraints,
    string? GranteeServicePrincipal,
    string? RetiringServicePrincipal);

public sealed record ListGrantsResponse(IReadOnlyList<GrantListEntryDto> Grants, string? NextMarker, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateGrantRequest))]
[JsonSerializable(typeof(CreateGrantResponse))]
[JsonSerializable(typeof(ListGrantsRequest))]
[JsonSerializable(typeof(RetireGrantRequest))]
[JsonSerializable(typeof(ListGrantsResponse))]
public sealed partial class KmsGrantJsonContext : JsonSerializerContext;
