using Microsoft.Extensions.Logging.Abstractions;
using OrleansKms.Hosting;

namespace OrleansKms.UnitTests.Hosting;

/// <summary>When the process gives memory back: once, after a quiet spell that follows busier work; never while busy.</summary>
public sealed class IdleMemoryTrimTests
{
    private const long Busy = IdleMemoryTrim.QuietBytes * 10;
    private const long Quiet = IdleMemoryTrim.QuietBytes / 10;

    private static IdleMemoryTrim Trim() => new(TimeSpan.FromMinutes(5), TimeProvider.System, NullLogger<IdleMemoryTrim>.Instance);

    [Fact]
    public void It_trims_once_after_the_quiet_time_that_follows_work_and_again_after_more_work()
    {
        var trim = Trim();
        Assert.False(trim.ShouldTrim(Busy));
        for (var minute = 1; minute < 5; minute++) Assert.False(trim.ShouldTrim(Quiet));
        Assert.True(trim.ShouldTrim(Quiet));
        for (var minute = 0; minute < 20; minute++) Assert.False(trim.ShouldTrim(Quiet));

        // Work after the trim (grains being collected, say) arms it again.
        Assert.False(trim.ShouldTrim(Busy));
        for (var minute = 1; minute < 5; minute++) Assert.False(trim.ShouldTrim(Quiet));
        Assert.True(trim.ShouldTrim(Quiet));
    }

    [Fact]
    public void A_process_that_never_worked_or_keeps_working_is_never_paused()
    {
        var idle = Trim();
        for (var minute = 0; minute < 20; minute++) Assert.False(idle.ShouldTrim(Quiet));
        var busy = Trim();
        for (var minute = 0; minute < 20; minute++) Assert.False(busy.ShouldTrim(minute % 4 == 3 ? Quiet : Busy));
    }
}
