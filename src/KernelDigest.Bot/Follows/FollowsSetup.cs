using KernelDigest.Bot.Lore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace KernelDigest.Bot.Follows;

public static class FollowsSetup
{
    /// <summary>
    /// Following patch series: /follow, /unfollow, /following, the store, and the lore poll (a Quartz job every
    /// <c>Lore:PollInterval</c>, in the scheduler <c>AddSubscriptions</c> set up, clustered on PostgreSQL). Notices go
    /// out through the digest outbox. Call after <c>AddSubscriptions</c>.
    /// </summary>
    public static IHostApplicationBuilder AddFollows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FollowOptions>()
            .BindConfiguration(FollowOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<LoreOptions>()
            .BindConfiguration(LoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FollowStore>();
        builder.Services.AddSingleton<FollowLore>();
        builder.Services.AddSingleton<FollowPoller>();
        builder.Services.AddSingleton<FollowCommands>();
        builder.Services.AddSingleton<WatchStore>();
        builder.Services.AddSingleton<WatchPoller>();
        builder.Services.AddSingleton<WatchCommands>();
        builder.Services.AddHostedService<FollowReportListener>();

        var lore = new LoreOptions();
        builder.Configuration.GetSection(LoreOptions.SectionName).Bind(lore);
        builder.Services.AddQuartz(q =>
        {
            q.AddJob<FollowPollJob>(j => j.WithIdentity(FollowPollJob.Key).StoreDurably().DisallowConcurrentExecution());
            q.AddTrigger(t => t
                .ForJob(FollowPollJob.Key)
                .WithIdentity("follow-poll-trigger", "kerneldigest")
                .StartNow()
                .WithSimpleSchedule(s => s.WithInterval(lore.PollInterval).RepeatForever()));
        });
        return builder;
    }
}
