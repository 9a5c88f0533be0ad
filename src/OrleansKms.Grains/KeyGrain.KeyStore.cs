using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.Grains;

/// <summary>
/// Keys in custom key stores (origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE): the store makes the key's material in its
/// key manager at CreateKey; the key is Unavailable while its store is not connected, and keeps its own state
/// (Enabled, Disabled) for when it is again.
/// </summary>
public sealed partial class KeyGrain
{
    private ICustomKeyStoreGrain KeyStoreOf(string storeId) => GrainFactory.GetGrain<ICustomKeyStoreGrain>($"{Arn.AccountId}/{Arn.Region}/{storeId}");

    /// <summary>
    /// The material id of a key whose material is in an HSM (it never leaves the token): derived from the store and
    /// the key, so ciphertext names it as it names any material.
    /// </summary>
    private string HsmMaterialId(KeyStoreBinding keyStore) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"hsm\n{keyStore.CustomKeyStoreId}\n{Arn.KeyId}")));

    /// <summary>The state callers see: Unavailable while the key's custom key store is disconnected (deletion states win).</summary>
    private static KeyStateKind EffectiveState(StoredKey s) =>
        s.KeyStore is not null && s.KeyStoreDisconnected && s.KeyState is KeyStateKind.Enabled or KeyStateKind.Disabled
            ? KeyStateKind.Unavailable
            : s.KeyState;

    public async Task KeyStoreConnectionChangedAsync(bool connected)
    {
        var current = state.State;
        if (!current.Exists || current.KeyStore is null || current.KeyStoreDisconnected == !connected) return;
        var next = current.Clone();
        next.KeyStoreDisconnected = !connected;
        await CommitAndPublishAsync(next);
    }
}
