namespace OrleansKms;

/// <summary>
/// Something the service did on its own, not at a caller's request, that the audit trail records as CloudTrail does
/// (eventType <c>AwsServiceEvent</c>): <c>RotateKey</c> (automatic and on-demand rotation), <c>DeleteKey</c> (the end
/// of a deletion's waiting period), <c>DeleteExpiredKeyMaterial</c> (imported material reaching its ValidTo).
/// <see cref="Details"/> become the record's <c>serviceEventDetails</c>, in order.
/// </summary>
public sealed record KmsServiceEvent(string EventName, KeyArn Key, DateTimeOffset Time, IReadOnlyList<KeyValuePair<string, string?>> Details);

/// <summary>
/// Where the grains report <see cref="KmsServiceEvent"/>s. Must not block: implementations buffer. The default does
/// nothing (an embedded cluster without an audit trail); the service wires it to its audit writer.
/// </summary>
public interface IKmsServiceEvents
{
    void Record(KmsServiceEvent serviceEvent);
}

/// <summary>No audit trail: service events are not recorded.</summary>
public sealed class NoServiceEvents : IKmsServiceEvents
{
    public void Record(KmsServiceEvent serviceEvent)
    {
    }
}

/// <summary>
/// A relay for hosts built before the audit writer exists (the Regions' silo hosts start before the gateway): events
/// wait in a bounded queue until <see cref="Attach"/> names where they go, then pass straight through.
/// </summary>
public sealed class ServiceEventRelay : IKmsServiceEvents
{
    private const int Waiting = 10_000;
    private readonly Queue<KmsServiceEvent> _early = new();
    private readonly Lock _lock = new();
    private IKmsServiceEvents? _target;

    public void Record(KmsServiceEvent serviceEvent)
    {
        var target = Volatile.Read(ref _target);
        if (target is null)
        {
            lock (_lock)
            {
                target = _target;
                if (target is null)
                {
                    if (_early.Count < Waiting) _early.Enqueue(serviceEvent);
                    return;
                }
            }
        }

        target.Record(serviceEvent);
    }

    /// <summary>From now on events go to <paramref name="target"/>; those that waited go first.</summary>
    public void Attach(IKmsServiceEvents target)
    {
        lock (_lock)
        {
            while (_early.TryDequeue(out var waiting)) target.Record(waiting);
            _target = target;
        }
    }
}
