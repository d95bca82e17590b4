using KernelDigest.Bot.Chats;
using KernelDigest.Bot.Storage;
using KernelDigest.Core.Reports;
using Microsoft.Extensions.Options;
using Quartz;

namespace KernelDigest.Bot.Subscriptions;

public static class SubscriptionsSetup
{
    /// <summary>
    /// Subscriptions and monthly digests: the store, the outbox dispatcher, the Quartz schedule (clustered on
    /// PostgreSQL), and the listener that pauses or moves subscriptions when a platform reports a chat gone.
    /// </summary>
    public static IHostApplicationBuilder AddSubscriptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DigestOptions>()
            .BindConfiguration(DigestOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddChatFeedback();
        builder.Services.AddSingleton(sp => new DigestSchedule(sp.GetRequiredService<IOptions<DigestOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<SubscriptionStore>();
        builder.Services.AddSingleton<DeliveryDispatcher>();
        builder.Services.AddSingleton<DeliveryWorker>();
        builder.Services.AddSingleton<DigestPlanner>();
        builder.Services.AddSingleton<SubscriptionCommands>();
        builder.Services.AddHostedService<ChatProblemListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DeliveryWorker>());

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

/// <summary>
/// Applies what platforms report about chats to subscriptions: a blocked or vanished chat pauses its subscription with
/// the reason; a Telegram group upgraded to a supergroup takes its subscription to the new id. With
/// <c>Digest:PostOnNewReport</c> it also owes subscribers a new month as soon as its report appears.
/// </summary>
internal sealed partial class ChatProblemListener(
    ChatFeedback feedback,
    SubscriptionStore store,
    ReportLibrary library,
    DigestPlanner planner,
    IOptions<DigestOptions> options,
    ILogger<ChatProblemListener> logger) : BackgroundService
{
    private readonly System.Threading.Channels.Channel<Func<CancellationToken, Task>> _work =
        System.Threading.Channels.Channel.CreateUnbounded<Func<CancellationToken, Task>>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        feedback.ProblemReported += OnProblem;
        ReportMonth? latest = library.Current.Latest?.Month;
        if (options.Value.PostOnNewReport)
        {
            library.Reloaded += snapshot =>
            {
                if (snapshot.Latest?.Month is { } month && (latest is null || month > latest))
                {
                    latest = month;
                    _work.Writer.TryWrite(ct => planner.PlanAsync(month, ct));
                }
            };
        }
        await foreach (var job in _work.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await job(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
    }

    private void OnProblem(ChatProblem problem) => _work.Writer.TryWrite(ct => problem.Kind switch
    {
        ChatProblemKind.Migrated when problem.NewChatId is { } newId => store.MoveChatAsync(problem.Platform, problem.ChatId, newId, ct),
        _ => store.SetStatusAsync(problem.Platform, problem.ChatId, SubscriptionStatus.Paused, problem.Description, ct),
    });

    [LoggerMessage(Level = LogLevel.Error, Message = "Updating a subscription after a chat problem failed")]
    private partial void LogFailed(Exception ex);
}
