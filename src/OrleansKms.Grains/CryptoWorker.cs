using Orleans.Concurrency;

namespace OrleansKms.Grains;

/// <summary>
/// The crypto operations as a grain, for callers in the cluster that are not on a silo's gateway: a stateless worker,
/// so it runs on the calling silo, handing every call to that silo's <see cref="CryptoService"/>.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class CryptoWorker(CryptoService service) : Grain, ICryptoWorker
{
    public ValueTask<KeyArn> ResolveAsync(KmsCaller caller, string keyId, string region) => service.ResolveAsync(caller, keyId, region);

    public ValueTask<EncryptResult> EncryptAsync(EncryptCommand command) => service.EncryptAsync(command);

    public ValueTask<DecryptResult> DecryptAsync(DecryptCommand command) => service.DecryptAsync(command);

    public ValueTask<ReEncryptResult> ReEncryptAsync(ReEncryptCommand command) => service.ReEncryptAsync(command);

    public ValueTask<DataKeyResult> GenerateDataKeyAsync(GenerateDataKeyCommand command, bool includePlaintext) =>
        service.GenerateDataKeyAsync(command, includePlaintext);

    public ValueTask<SignatureResult> SignAsync(SignatureCommand command) => service.SignAsync(command);

    public ValueTask<SignatureResult> VerifyAsync(SignatureCommand command) => service.VerifyAsync(command);

    public ValueTask<MacResult> GenerateMacAsync(MacCommand command) => service.GenerateMacAsync(command);

    public ValueTask<MacResult> VerifyMacAsync(MacCommand command) => service.VerifyMacAsync(command);

    public ValueTask<SharedSecretResult> DeriveSharedSecretAsync(SharedSecretCommand command) => service.DeriveSharedSecretAsync(command);

    public ValueTask<PublicKeyResult> GetPublicKeyAsync(KmsCaller caller, string keyId, string region) => service.GetPublicKeyAsync(caller, keyId, region);

    public ValueTask<DataKeyPairResult> GenerateDataKeyPairAsync(DataKeyPairCommand command, bool includePlaintext) =>
        service.GenerateDataKeyPairAsync(command, includePlaintext);
}
