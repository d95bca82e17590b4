using KernelDigest.Bot.Subscriptions;
using Microsoft.Extensions.Time.Testing;

namespace KernelDigest.Bot.Tests.Subscriptions;

public sealed class DigestScheduleTests
{
    private static DigestSchedule Schedule(FakeTimeProvider time, string cron = "0 0 10 1 * ?", string zone = "Asia/Shanghai") =>
        new(new DigestOptions { Cron = cron, TimeZone = zone }, time);

    [Fact]
    public void The_default_run_is_10_00_Shanghai_on_the_first_of_each_month()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var schedule = Schedule(time);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), schedule.Next());
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero), schedule.Previous());
    }

    [Fact]
    public void A_run_missed_while_down_is_detected_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero)); // three hours after the run
        var schedule = Schedule(time);

        Assert.True(schedule.Missed(lastRun: null));
        Assert.True(schedule.Missed(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero)));
        Assert.False(schedule.Missed(new DateTimeOffset(2026, 12, 1, 2, 0, 1, TimeSpan.Zero)));

        time.Advance(TimeSpan.FromDays(3));
        Assert.False(schedule.Missed(new DateTimeOffset(2026, 12, 1, 2, 0, 1, TimeSpan.Zero)));
    }

    [Fact]
    public void Cron_and_zone_are_validated_with_messages_naming_the_setting()
    {
        var bad = new DigestOptions { Cron = "every month", TimeZone = "Mars/Olympus" };
        var errors = bad.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(bad)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains(errors, e => e!.Contains("Digest__Cron", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("Digest__TimeZone", StringComparison.Ordinal));
    }
}
