namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// One quota's allowance for one account in one Region: holds up to one second's worth of requests (at least one),
/// refilled continuously at the quota's rate from the clock it is given. Thread-safe.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, DateTimeOffset now)
{
    private readonly double _capacity = Math.Max(ratePerSecond, 1);
    private double _tokens = Math.Max(ratePerSecond, 1);
    private DateTimeOffset _refilled = now;

    public bool TryTake(DateTimeOffset now)
    {
        lock (this)
        {
            var elapsed = (now - _refilled).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(_capacity, _tokens + elapsed * ratePerSecond);
                _refilled = now;
            }

            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
