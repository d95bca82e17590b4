using System.Globalization;
using KernelDigest.Load;

// dotnet run -c Release --project tests/KernelDigest.Load -- fanout [limit=1000] [subscriptions=20000]
// dotnet run -c Release --project tests/KernelDigest.Load -- webhook [seconds=20] [connections=32]
// dotnet run -c Release --project tests/KernelDigest.Load -- draft [messages=5000] [runs=5]
// dotnet run -c Release --project tests/KernelDigest.Load -- follows [follows=10000] [watches=1000] [polls=100]
// dotnet run -c Release --project tests/KernelDigest.Load -- idle [seconds=30] [reports folder=the bundled one | -] [message]
//   (with a message: one user sends it in a private chat first, and the bot at rest is measured after its answer)
// (webhook and idle start the Release build of the bot, or the one KD_BOT_DLL names)
var repo = FindRepo();
return args.FirstOrDefault() switch
{
    "fanout" => await FanOutLoad.RunAsync(Arg(1, 1000), Arg(2, 20_000), repo),
    "webhook" => await WebhookLoad.RunAsync(Arg(1, 20), Arg(2, 32), repo),
    "draft" => await DraftLoad.RunAsync(Arg(1, 5000), Arg(2, 5)),
    "follows" => await FollowsLoad.RunAsync(Arg(1, 10_000), Arg(2, 1_000), Arg(3, 100)),
    "idle" => await IdleLoad.RunAsync(Arg(1, 30), args.Length > 2 && args[2] != "-" ? Path.GetFullPath(args[2]) : null, args.ElementAtOrDefault(3), repo),
    _ => Usage(),
};

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

static int Usage()
{
    Console.Error.WriteLine("usage: fanout [limit] [subscriptions] | webhook [seconds] [connections] | draft [messages] [runs] | follows [follows] [watches] [polls] | idle [seconds] [reports|-] [message]");
    return 2;
}

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
        dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
