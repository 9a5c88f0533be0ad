namespace EncryptedStateSample;

/// <summary>
/// A grain's state as it is stored: sealed with envelope encryption. The data key that encrypted it is stored beside it,
/// encrypted under the KMS key (<see cref="EncryptedDataKey"/>, a KMS ciphertext blob); the plaintext data key is never
/// stored. Layout of the sealed value: AES-256-GCM with a random 12-byte <see cref="Nonce"/>, the 16-byte
/// <see cref="Tag"/> apart, and the encryption context (<see cref="EnvelopeCipher.ContextFor"/>) as associated data.
/// </summary>
[GenerateSerializer]
public sealed record SealedState
{
    /// <summary>The format of this record; 1 is the only one so far.</summary>
    [Id(0)] public int Version { get; init; } = 1;

    /// <summary>The ARN of the KMS key the data key was generated under.</summary>
    [Id(1)] public string KeyArn { get; init; } = "";

    [Id(2)] public byte[] EncryptedDataKey { get; init; } = [];

    [Id(3)] public byte[] Nonce { get; init; } = [];

    [Id(4)] public byte[] Ciphertext { get; init; } = [];

    [Id(5)] public byte[] Tag { get; init; } = [];
}

/// <summary>What a <see cref="SecretNoteGrain"/> persists: nothing, or its note sealed.</summary>
[GenerateSerializer]
public sealed class SecretNoteState
{
    [Id(0)] public SealedState? Note { get; set; }
}
