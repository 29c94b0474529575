using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S4AL.Actors.Hosting;
using S4AL.Actors.Scorer;
using S4AL.Actors.Workspace;
using S4AL.Annotation.Web;
using S4AL.Learning;
using S4AL.Node.Configuration;

namespace S4AL.Node.Annotation;

/// <summary>
/// The annotation role of a node: started after Akka (it is registered after it), it follows the
/// coordinator's experiment and serves the annotation page. An address that cannot be bound does
/// not stop the node: <see cref="Failure"/> says why, and the command decides (`s4al node` with the
/// role asked for fails, `s4al run` warns and goes on: labels can still be imported).
/// </summary>
public sealed class AnnotationPageService(IServiceProvider services, AnnotationSection settings, ILogger<AnnotationPageService> log) : IHostedService
{
    static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(2);

    IActorRef? _follower;

    public AnnotationPage? Page { get; private set; }
    public string? Failure { get; private set; }

    public async Task StartAsync(CancellationToken cancel)
    {
        var system = services.GetRequiredService<ActorSystem>();
        var coordinator = services.GetRequiredService<IActorRegistry>().Get<CoordinatorKey>();
        // The prediction runs on the node's device, as scoring does.
        var device = Devices.Parse(services.GetRequiredService<ScorerOptions>().Device);
        var rounds = new CoordinatorRounds(coordinator, services.GetRequiredService<DatasetCache>(), device);
        _follower = system.ActorOf(AnnotationFollowerActor.Props(coordinator, rounds, FollowInterval), "annotation-follower");
        try
        {
            Page = await AnnotationPage.StartAsync(settings.ToOptions(), rounds, cancel: cancel);
            log.LogInformation("annotation page listening on {Address} ({Access})", Page.Address,
                Page.Access.ReadsNeedToken ? "every request needs the token" : "loopback; state-changing requests need the page's token");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            Failure = $"the annotation page cannot listen on {settings.Url}: {e.Message}";
            log.LogError("{Failure}", Failure);
        }
    }

    public async Task StopAsync(CancellationToken cancel)
    {
        if (Page is not null) await Page.DisposeAsync();
        if (_follower is not null) services.GetRequiredService<ActorSystem>().Stop(_follower);
    }

    /// <summary>One line for the console: the address to open (with the token when every request needs it), or why there is none.</summary>
    public string Describe() => Page is { } page
        ? $"annotation page: {page.Link}" + (page.Access.Generated ? " (token generated for this run; give people the whole address)" : "")
        : $"s4al: warning: {Failure}; label with `s4al export` and `s4al import`, or give --annotate-url";
}
