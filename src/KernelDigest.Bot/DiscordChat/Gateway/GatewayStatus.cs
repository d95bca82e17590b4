using KernelDigest.Core.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KernelDigest.Bot.DiscordChat.Gateway;

/// <summary>Where the gateway connection stands, for /health/ready and the logs.</summary>
public enum GatewayState
{
    Starting,

    /// <summary>Another instance of the cluster holds the gateway lease: this one stands by to take over.</summary>
    Standby,

    Connecting,
    Connected,
    Resuming,

    /// <summary>Discord refused the session for good (a bad token, say): the gateway will not reconnect.</summary>
    Stopped,
}

/// <summary>The gateway's state and its reason, shared by the gateway service and its health check; counts reconnects and resumes.</summary>
public sealed class GatewayStatus
{
    private sealed record Now(GatewayState State, string Detail);

    private volatile Now _now = new(GatewayState.Starting, "not connected yet");

    public GatewayState State => _now.State;
    public string Detail => _now.Detail;

    public void Set(GatewayState state, string detail) => _now = new Now(state, detail);

    public static void CountReconnect(bool resumed) =>
        (resumed ? Resumes : Reconnects).Add(1);

    private static readonly System.Diagnostics.Metrics.Counter<long> Reconnects =
        Telemetry.CreateCounter("kerneldigest.discord.gateway.reconnects", "{connection}", "Gateway connections made again after a drop");

    private static readonly System.Diagnostics.Metrics.Counter<long> Resumes =
        Telemetry.CreateCounter("kerneldigest.discord.gateway.resumes", "{session}", "Gateway sessions resumed after a drop");
}

/// <summary>/health/ready: stopped is unhealthy (with the reason); connecting or resuming is degraded; standby is fine.</summary>
internal sealed class GatewayHealthCheck(GatewayStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var text = $"Discord gateway {status.State.ToString().ToLowerInvariant()}: {status.Detail}";
        return Task.FromResult(status.State switch
        {
            GatewayState.Connected or GatewayState.Standby => HealthCheckResult.Healthy(text),
            GatewayState.Stopped => HealthCheckResult.Unhealthy(text),
            _ => HealthCheckResult.Degraded(text),
        });
    }
}
