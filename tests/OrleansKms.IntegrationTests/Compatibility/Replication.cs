using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>Waiting for replication: a condition polled until it holds, failing after a bound (replication is asynchronous, as in AWS).</summary>
internal static class Replication
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {seconds} s.");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the replica in the client's Region is Enabled (ReplicateKey answers while it is Creating).</summary>
    public static Task ReplicaEnabledAsync(IAmazonKeyManagementService replicaRegion, string keyId) =>
        WaitUntilAsync(async () =>
        {
            try
            {
                return (await replicaRegion.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState == KeyState.Enabled;
            }
            catch (NotFoundException)
            {
                return false;
            }
        }, $"the replica of {keyId} becoming Enabled");
}
