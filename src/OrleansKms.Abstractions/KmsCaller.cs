namespace OrleansKms;

/// <summary>
/// Who is calling, as SigV4 established it at the gateway (or as the embedding application declares it in-cluster).
/// It travels with every command to the grain or worker that authorises the call.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KmsCaller(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string PrincipalArn,
    [property: Id(2)] string AccessKeyId);
