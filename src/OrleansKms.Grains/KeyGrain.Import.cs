using OrleansKms.Policy;

namespace OrleansKms.Grains;

/// <summary>Imported key material: GetParametersForImport's checks (no key of this service has origin EXTERNAL yet).</summary>
public sealed partial class KeyGrain
{
    private const string OriginExternal = "EXTERNAL";

    public Task EnsureImportableAsync(KmsCaller caller, string wrappingAlgorithm, string wrappingKeySpec)
    {
        var current = Authorized(caller, "GetParametersForImport",
            new AccessRequest().With("kms:WrappingAlgorithm", wrappingAlgorithm).With("kms:WrappingKeySpec", wrappingKeySpec));
        KeyStates.EnsureManageable(current.KeyState, Arn);
        if (current.Origin != OriginExternal) throw InvalidOrigin(current.Origin);
        return Task.CompletedTask;
    }

    /// <summary>AWS's answer to an operation the key's origin does not allow (import, rotation).</summary>
    private KmsException InvalidOrigin(string origin) =>
        new(KmsErrorCode.UnsupportedOperationException, $"{Arn} origin is {origin} which is not valid for this operation.");
}
