namespace OrleansKms.Grains;

/// <summary>All-or-nothing state changes: the new state becomes current only once it is stored.</summary>
internal static class PersistentStateExtensions
{
    /// <summary>Stores <paramref name="next"/> as the state; if the write fails the grain keeps its previous state.</summary>
    public static async Task CommitAsync<T>(this IPersistentState<T> state, T next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
