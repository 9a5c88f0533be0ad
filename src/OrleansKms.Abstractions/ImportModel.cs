namespace OrleansKms;

// Imported key material (the rest of IKeyGrain: KeyManagementModel.cs). This service creates no key of origin
// EXTERNAL yet (CreateKey refuses it), so GetParametersForImport goes as far as AWS goes with a key of origin AWS_KMS.
public partial interface IKeyGrain
{
    /// <summary>
    /// GetParametersForImport's checks, in AWS's order: the caller's authorization (kms:GetParametersForImport, with
    /// kms:WrappingAlgorithm and kms:WrappingKeySpec), the key's state, then its origin. A key whose origin is not
    /// EXTERNAL is AWS's UnsupportedOperationException "ARN origin is AWS_KMS which is not valid for this operation.".
    /// </summary>
    Task EnsureImportableAsync(KmsCaller caller, string wrappingAlgorithm, string wrappingKeySpec);
}
