using OrleansKms.Policy;
using OrleansKms.Crypto;

namespace OrleansKms.Grains;

/// <summary>
/// Rotation: automatic (EnableKeyRotation, driven by the lifecycle reminder) and on demand. New material becomes
/// current; every earlier version stays, so every earlier ciphertext still decrypts.
/// </summary>
public sealed partial class KeyGrain
{
    public const int DefaultRotationPeriodInDays = 365;
    public const int MaxOnDemandRotations = 25;

    /// <summary>AWS refuses an on-demand rotation this close before a scheduled automatic one (ConflictException).</summary>
    public static readonly TimeSpan AutomaticRotationConflictWindow = TimeSpan.FromMinutes(20);
    private const string Automatic = "AUTOMATIC";
    private const string OnDemand = "ON_DEMAND";

    public async Task EnableRotationAsync(KmsCaller caller, int rotationPeriodInDays)
    {
        var current = Authorized(caller, "EnableKeyRotation", new AccessRequest().With("kms:RotationPeriodInDays", ConditionValue.Of(rotationPeriodInDays)));
        EnsureRotatable(current);
        var next = current.Clone();
        next.RotationEnabled = true;
        next.RotationPeriodInDays = rotationPeriodInDays;
        next.NextRotationDate = time.GetUtcNow().AddDays(rotationPeriodInDays);
        await CommitAsync(next);
        await EnsureLifecycleReminderAsync();
    }

    public async Task DisableRotationAsync(KmsCaller caller)
    {
        var current = Authorized(caller, "DisableKeyRotation");
        EnsureRotatable(current);
        if (!current.RotationEnabled) return;
        var next = current.Clone();
        next.RotationEnabled = false;
        next.RotationPeriodInDays = null;
        next.NextRotationDate = null;
        await CommitAsync(next);
        await EnsureLifecycleReminderAsync();
    }

    public Task<KeyRotationStatus> GetRotationStatusAsync(KmsCaller caller)
    {
        var s = Authorized(caller, "GetKeyRotationStatus");
        EnsureSymmetricAwsKms(s);
        // While a key is pending deletion AWS reports rotation as off; cancelling the deletion restores it.
        var enabled = s.RotationEnabled && s.KeyState != KeyStateKind.PendingDeletion;
        return Task.FromResult(new KeyRotationStatus(Arn.Value, enabled,
            enabled ? s.RotationPeriodInDays : null, enabled ? s.NextRotationDate : null, null));
    }

    public async Task RotateOnDemandAsync(KmsCaller caller)
    {
        var current = Authorized(caller, "RotateKeyOnDemand");
        if (current.Origin == ImportValues.OriginExternal && current.KeySpec == KmsValues.SymmetricDefault)
        {
            // An imported key rotates to the new material imported for it (ImportType NEW_KEY_MATERIAL).
            KeyStates.EnsureUsable(current.KeyState, Arn);
            if (current.MultiRegion && !IsPrimary(current)) throw NotPrimary();
            EnsureOnDemandRotationsLeft(current);
            var rotated = RotatedToImported(current);
            rotated.OnDemandRotations++;
            await CommitAndPublishAsync(rotated);
            RecordRotation(current, rotated, OnDemand);
            await EnsureLifecycleReminderAsync();
            return;
        }

        EnsureRotatable(current);
        EnsureOnDemandRotationsLeft(current);

        // An automatic rotation that is due but not yet run (the lifecycle reminder has not fired) is "in progress".
        if (current.RotationEnabled && current.NextRotationDate - time.GetUtcNow() <= AutomaticRotationConflictWindow)
        {
            throw new KmsException(KmsErrorCode.ConflictException,
                $"An automatic rotation of {Arn} is in progress or scheduled to begin within the next 20 minutes.");
        }

        var next = WithNewMaterial(current, OnDemand);
        next.OnDemandRotations++;
        await CommitAndPublishAsync(next);
        RecordRotation(current, next, OnDemand);
        await EnsureLifecycleReminderAsync();
    }

    private void EnsureOnDemandRotationsLeft(StoredKey current)
    {
        if (current.OnDemandRotations >= MaxOnDemandRotations)
        {
            throw new KmsException(KmsErrorCode.LimitExceededException,
                $"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {Arn}");
        }
    }

    /// <summary>
    /// ListKeyRotations: the rotations, oldest first; with ALL_KEY_MATERIAL also the first material and (imported
    /// keys) material pending rotation. Imported symmetric keys list their import state, expiration and description.
    /// </summary>
    public Task<RotationPage> ListRotationsAsync(KmsCaller caller, int limit, string? marker, bool includeAllKeyMaterial = false)
    {
        var s = Authorized(caller, "ListKeyRotations");
        if (!(s.Origin == ImportValues.OriginExternal && s.KeySpec == KmsValues.SymmetricDefault)) EnsureSymmetricAwsKms(s);
        var listed = new List<ListedKeyMaterial>(s.Rotations.Count + 2);
        var first = s.Origin == ImportValues.OriginExternal ? ImportsOf(s).FirstOrDefault()?.KeyMaterialId : s.Materials.FirstOrDefault()?.KeyMaterialId;
        if (includeAllKeyMaterial && first is not null) listed.Add(Listed(s, first, null, null));
        listed.AddRange(s.Rotations.Select(r => Listed(s, r.KeyMaterialId, r.RotationDate, r.RotationType)));
        if (includeAllKeyMaterial && s.Origin == ImportValues.OriginExternal)
            listed.AddRange(ImportsOf(s).Where(m => m.PendingRotation).Select(m => Listed(s, m.KeyMaterialId, null, null)));
        var start = Markers.Index(marker, listed.Count);
        var page = listed.Skip(start).Take(limit).ToList();
        var end = start + page.Count;
        return Task.FromResult(new RotationPage(page, end < listed.Count ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    /// <summary>Automatic rotation, when its date has come and the key is enabled (AWS does not rotate disabled keys).</summary>
    private async Task RotateIfDueAsync(DateTimeOffset now)
    {
        var s = state.State;
        // A replica's material comes from its primary, which rotates for every Region.
        if (!s.RotationEnabled || s.NextRotationDate > now || s.KeyState != KeyStateKind.Enabled || (s.MultiRegion && !IsPrimary(s))) return;
        var next = WithNewMaterial(s, Automatic);
        next.NextRotationDate = now.AddDays(s.RotationPeriodInDays ?? DefaultRotationPeriodInDays);
        await CommitAndPublishAsync(next);
        RecordRotation(s, next, Automatic);
    }

    /// <summary>The RotateKey service event CloudTrail records for every rotation, automatic or on demand.</summary>
    private void RecordRotation(StoredKey before, StoredKey after, string rotationType) =>
        serviceEvents.Record(new KmsServiceEvent("RotateKey", Arn, time.GetUtcNow(),
        [
            new("rotationType", rotationType),
            new("keyOrigin", after.Origin),
            new("previousKeyMaterialId", before.CurrentKeyMaterialId),
            new("currentKeyMaterialId", after.CurrentKeyMaterialId),
        ]));

    private StoredKey WithNewMaterial(StoredKey current, string rotationType)
    {
        using var version = SymmetricKeyVersion.Generate();
        var now = time.GetUtcNow();
        var next = current.Clone();
        next.Materials.Add(new WrappedKeyMaterial(version.MaterialIdHex, protector.Wrap(version.Material, Arn, version.MaterialIdHex), now));
        next.CurrentKeyMaterialId = version.MaterialIdHex;
        next.Rotations.Add(new KeyRotation(version.MaterialIdHex, now, rotationType));
        return next;
    }

    /// <summary>
    /// EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand: symmetric AWS_KMS keys in the Enabled state. The
    /// state is checked before the key's type, as AWS does (docs/key-states.md, "Order of checks"): a disabled RSA
    /// key is DisabledException, not UnsupportedOperationException.
    /// </summary>
    private void EnsureRotatable(StoredKey s)
    {
        KeyStates.EnsureUsable(s.KeyState, Arn);
        EnsureSymmetricAwsKms(s);
        // Rotation is a shared property of a multi-Region key: it is changed in the primary's Region only.
        if (s.MultiRegion && !IsPrimary(s)) throw NotPrimary();
    }

    private void EnsureSymmetricAwsKms(StoredKey s)
    {
        if (s.Origin != KmsValues.OriginAwsKms) throw InvalidOrigin(s.Origin);
        // AWS answers an asymmetric or HMAC key here with the error code alone, no message.
        if (!OrleansKms.Crypto.Keys.KeySpecCatalog.Get(s.KeySpec).Rotates) throw KmsException.WithoutMessage(KmsErrorCode.UnsupportedOperationException);
    }
}
