using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway.Quotas;

/// <summary>
/// Enforces request quotas (<c>--quotas</c>): one token bucket per account, Region and quota, on the KMS clock. A
/// request over its quota is refused with ThrottlingException and AWS's message, before it is run: before it is read
/// when the operation decides its quota, once it is read when the type of key it uses does (<see cref="AdmitKeyUse"/>).
/// </summary>
public sealed class RequestQuotaGate(RequestQuotas quotas, [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider? clock = null) : IKmsRequestGate
{
    /// <summary>What AWS KMS answers a throttled request.</summary>
    public const string ThrottledMessage = "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(string Account, string Region, string Quota), TokenBucket> _buckets = new();

    public void Admit(string region, KmsIdentity identity, string operation)
    {
        if (RequestQuotas.QuotaOf(operation) is { } quota) Take(identity.AccountId, region, quota);
    }

    public void AdmitKeyUse(string region, string accountId, string operation, string kind)
    {
        if (RequestQuotas.QuotaOfKeyUse(operation, kind) is { } quota) Take(accountId, region, quota);
    }

    private void Take(string account, string region, string quota)
    {
        if (quotas.RateOf(quota, region) is not { } rate) return;
        var now = _clock.GetUtcNow();
        var bucket = _buckets.GetOrAdd((account, region, quota), static (_, state) => new TokenBucket(state.rate, state.now), (rate, now));
        if (!bucket.TryTake(now)) throw new KmsException(KmsErrorCode.ThrottlingException, ThrottledMessage);
    }
}

/// <summary>Registration of the gateway's request recorders and gates.</summary>
public static class RequestQuotaExtensions
{
    /// <summary>
    /// Enforces request quotas: <paramref name="setting"/> is <c>aws</c> (AWS's defaults) or the path of a JSON file of
    /// quota name to requests per second; null or empty enforces none.
    /// </summary>
    public static IServiceCollection AddKmsRequestQuotas(this IServiceCollection services, string? setting)
    {
        if (string.IsNullOrEmpty(setting)) return services;
        RequestQuotas quotas;
        if (setting == "aws") quotas = RequestQuotas.Aws();
        else if (File.Exists(setting)) quotas = RequestQuotas.Parse(File.ReadAllText(setting), setting);
        else throw new InvalidDataException($"--quotas {setting}: takes aws or the path of a JSON file of quota name to requests per second, and no such file exists.");
        services.AddSingleton(quotas);
        services.AddSingleton<IKmsRequestGate, RequestQuotaGate>();
        return services;
    }
}
