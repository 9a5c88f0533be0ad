using System.Text;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Options;

namespace EncryptedStateSample;

/// <summary>A note only its grain can read: stored sealed under a KMS key of the same cluster.</summary>
public interface ISecretNoteGrain : IGrainWithStringKey
{
    Task SetAsync(string note);

    /// <summary>The note, or null if none was set.</summary>
    Task<string?> GetAsync();
}

/// <summary>
/// Seals its state on every write with <see cref="EnvelopeCipher"/> (encryption context binding this grain's id) and
/// opens it on read; the plaintext note is kept only in memory while the grain is active.
/// </summary>
public sealed class SecretNoteGrain(
    [PersistentState("note", SampleHost.StorageName)] IPersistentState<SecretNoteState> state,
    EnvelopeCipher cipher,
    IOptions<SampleOptions> options) : Grain, ISecretNoteGrain
{
    private string? _note;
    private bool _opened;

    public async Task SetAsync(string note)
    {
        state.State.Note = await cipher.SealAsync(options.Value.KeyId, Encoding.UTF8.GetBytes(note), EnvelopeCipher.ContextFor(this.GetGrainId()));
        await state.WriteStateAsync();
        (_note, _opened) = (note, true);
    }

    public async Task<string?> GetAsync()
    {
        if (_opened) return _note;
        if (state.State.Note is not { } sealedNote) return null;
        try
        {
            _note = Encoding.UTF8.GetString(await cipher.OpenAsync(sealedNote, EnvelopeCipher.ContextFor(this.GetGrainId())));
        }
        catch (InvalidCiphertextException)
        {
            // The stored state was sealed for another grain (or altered): refuse it rather than serve it.
            throw new InvalidOperationException($"The stored state of {this.GetGrainId()} was not sealed for this grain.");
        }

        _opened = true;
        return _note;
    }
}
