namespace OrleansKms.Grains;

/// <summary>
/// Changes that write more than one grain's row (a key and the catalog that lists it; a grant and the index of its
/// retiring principal; an alias and the alias catalog) made safe against a crash or a failed write in between.
/// <para>
/// Before the first write, a "mend" reminder is registered; after the last it is removed. If the silo dies in
/// between, or a write fails, the reminder is left behind: within a minute (or at the grain's next cross-row change)
/// the grain redoes its secondary writes from its own row, idempotently (<c>mendAll</c>): the catalog lists the key
/// if it exists, every grant is in its retiring principal's index. Secondary removals are made before the primary
/// change, secondary additions after it, so the only torn state a crash can leave is one that mending repairs.
/// </para>
/// </summary>
public sealed class CrossRowChanges(Grain grain, Func<Task> mendAll)
{
    public const string MendReminder = "kms-mend";

    /// <summary>When a mend reminder left behind fires (Orleans' shortest reminder period).</summary>
    public static readonly TimeSpan MendDelay = TimeSpan.FromMinutes(1);

    /// <summary>True once this activation knows no mend is outstanding; null until it has looked.</summary>
    private bool? _clean;

    /// <summary>Runs <paramref name="writes"/> (every row the change touches, in the safe order) under a mend reminder.</summary>
    public async Task RunAsync(Func<Task> writes)
    {
        _clean ??= await grain.GetReminder(MendReminder) is null;
        var reminder = await grain.RegisterOrUpdateReminder(MendReminder, MendDelay, MendDelay);
        try
        {
            await writes();
            if (_clean == false) await mendAll();
        }
        catch
        {
            _clean = false;
            throw;
        }

        _clean = true;
        await grain.UnregisterReminder(reminder);
    }

    /// <summary>Redoes what an interrupted change may have left undone, if anything is outstanding; then removes the reminder.</summary>
    public async Task MendAsync()
    {
        var reminder = await grain.GetReminder(MendReminder);
        if (reminder is null && _clean != false) return;
        await mendAll();
        _clean = true;
        if (reminder is not null) await grain.UnregisterReminder(reminder);
    }
}
