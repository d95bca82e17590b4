using KernelDigest.Bot.Storage;
using KernelDigest.Core.Commands;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace KernelDigest.Bot.Subscriptions;

public static class SubscriptionsSetup
{
    /// <summary>
    /// Subscriptions and monthly digests: the commands, the store, the outbox and its sender, the Quartz schedule
    /// (clustered on PostgreSQL), what a gone chat means (<see cref="ChatStates"/>), and posting a new month at once.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DigestOptions>()
            .BindConfiguration(DigestOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new DigestSchedule(sp.GetRequiredService<IOptions<DigestOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<SubscriptionStore>();
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddSingleton<ChatStates>();
        builder.Services.AddSingleton<DeliveryDispatcher>();
        builder.Services.AddSingleton<DigestPlanner>();
        builder.Services.AddSingleton<SubscriptionCommands>();
        // The chat-state commands: subscriptions here, follows when that feature is added (AddFollows).
        builder.Services.AddSingleton<IChatCommands>(sp => new Conversation.ChatCommands(
            sp.GetRequiredService<SubscriptionCommands>(), sp.GetService<Follows.FollowCommands>(), sp.GetService<Follows.WatchCommands>()));
        builder.Services.AddHostedService<DeliveryWorker>();
        builder.Services.AddHostedService<NewReportListener>();

        var digest = new DigestOptions();
        builder.Configuration.GetSection(DigestOptions.SectionName).Bind(digest);
        var storage = new StorageOptions();
        builder.Configuration.GetSection(StorageOptions.SectionName).Bind(storage);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(digest.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "kerneldigest";
                o.GenerateInstanceId = true; // each instance of a cluster needs its own id
            });
            q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably().DisallowConcurrentExecution());
            if (DigestOptions.IsCron(digest.Cron)) // a bad one is reported by options validation, naming the setting
                q.AddTrigger(t => t
                    .ForJob(DigestJob.Key)
                    .WithIdentity("monthly-digest-trigger", "kerneldigest")
                    .WithSchedule(CronScheduleBuilder.Create(digest.Cron).InTimeZone(zone)
                        .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            if (storage.Provider == StorageProvider.Postgres && !string.IsNullOrWhiteSpace(storage.ConnectionString))
            {
                // Several instances share one schedule: the clustered ADO.NET store lets exactly one fire each run.
                q.UsePersistentStore(s =>
                {
                    s.UsePostgres(storage.ConnectionString);
                    s.UseClustering(_ => { });
                    s.ProvisionSchema();
                });
            }
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}
