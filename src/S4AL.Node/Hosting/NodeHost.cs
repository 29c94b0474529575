using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using System.Security.Cryptography.X509Certificates;
using Akka.Cluster.Hosting.SBR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S4AL.Actors.Hosting;
using S4AL.Node.Annotation;
using S4AL.Node.Configuration;

namespace S4AL.Node.Hosting;

/// <summary>Builds the generic host of one node: Akka.NET with the node's roles, configured through Akka.Hosting.</summary>
public static class NodeHost
{
    /// <summary>The actor system's name; every node of a cluster must use it.</summary>
    public const string SystemName = "s4al";

    public static IHost Build(NodeSettings settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        // Without a log file nothing is logged to the console: a command's errors are its own one-line messages.
        if (settings.LogFile is not null) builder.Logging.AddProvider(FileLoggerProvider.ToFile(settings.LogFile, LogLevel.Information));
        if (settings.Telemetry.Enabled(Environment.GetEnvironmentVariable)) NodeTelemetry.Add(builder, settings, Environment.GetEnvironmentVariable);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddS4alNodeServices(settings.Coordinator, settings.Trainer, settings.Scorer, settings.Services.Scoring);
        var node = settings.Node;
        builder.Services.AddAkka(SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(l =>
            {
                l.LogLevel = Akka.Event.LogLevel.InfoLevel;
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            // What Akka.Hosting has no option for. The cluster's own choices (failure detection,
            // giving up on unreachable seeds, ...) are in cluster-config/base.hocon, applied with --hocon.
            akka.AddHocon(ConfigurationFactory.ParseString("""
                    akka.stdout-loglevel = ERROR
                    akka.coordinated-shutdown.exit-clr = off
                    akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                    """), HoconAddMode.Append);
            akka.WithS4alSerialization();
            if (node.Journal is not null) akka.WithS4alPersistence(node.Journal);
            akka.WithRemoting(Remote(node))
                .WithClustering(new ClusterOptions
                {
                    Roles = node.Roles.ToArray(),
                    SeedNodes = node.SeedNodes.ToArray(),
                    // On a split the side with the majority of nodes stays; on an even split the side with the lowest address.
                    SplitBrainResolver = new KeepMajorityOption(),
                })
                .WithS4alScorers(settings.Has(NodeRoles.Scorer))
                .WithS4alReplay(settings.Has(NodeRoles.Replay))
                .WithS4alReporters(settings.Has(NodeRoles.Scorer))
                .WithS4alCoordinator(settings.Has(NodeRoles.Coordinator));
            if (settings.Has(NodeRoles.Trainer)) akka.WithS4alTrainer(settings.Trainer.Count);
            if (!settings.Has(NodeRoles.Coordinator)) akka.WithS4alHandshake();
            // Last, so that they override everything above (the newest prepended HOCON wins).
            if (settings.ExtraHocon is not null) akka.AddHocon(ConfigurationFactory.ParseString(settings.ExtraHocon), HoconAddMode.Prepend);
            foreach (var file in node.Hocon) akka.AddHocon(ConfigurationFactory.ParseString(File.ReadAllText(file)), HoconAddMode.Prepend);
            if (node.SeedNodes.Count == 0)
                akka.AddStartup((system, _) =>
                {
                    // No seed nodes: this node is the whole cluster.
                    var cluster = Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                });
        });
        // Registered after Akka, so it starts once the actor system is up (and stops before it).
        if (settings.Has(NodeRoles.Annotation))
        {
            builder.Services.AddSingleton(settings.Annotation);
            builder.Services.AddSingleton<AnnotationPageService>();
            builder.Services.AddHostedService(p => p.GetRequiredService<AnnotationPageService>());
        }
        return builder.Build();
    }

    /// <summary>The annotation page of a node with the annotation role (null without it).</summary>
    public static AnnotationPageService? AnnotationPage(this IHost host) => host.Services.GetService<AnnotationPageService>();

    /// <summary>Remoting: the node's address, a frame size for the largest message (checkpoints and data travel by shared storage), TLS if configured.</summary>
    static RemoteOptions Remote(NodeSection node)
    {
        var remote = new RemoteOptions { HostName = node.Host, Port = node.Port, MaxFrameSize = MaxFrameSize };
        if (node.Tls is { } tls)
        {
            remote.EnableSsl = true;
            remote.Ssl = new SslOptions
            {
                X509Certificate = X509CertificateLoader.LoadPkcs12FromFile(tls.Pfx, tls.Password, X509KeyStorageFlags.DefaultKeySet),
                SuppressValidation = tls.SuppressValidation,
            };
        }
        return remote;
    }

    /// <summary>4 MiB: a labeled-region bitmap of a large pool fits; Akka's default (128 kB) would not.</summary>
    public const long MaxFrameSize = 4 << 20;

    /// <summary>
    /// Stops the host, which leaves the cluster gracefully (CoordinatedShutdown's cluster-leave and
    /// cluster-exiting phases hand singletons and shards over). Nodes leave only this way: a
    /// `Cluster.LeaveAsync` first would make the shutdown's reason ClusterLeavingReason, for which
    /// Akka.Hosting sets the process exit code to -1 on a thread of its own, racing with the
    /// command's own exit code (an `s4al import` that stored everything exited 255).
    /// While Akka shuts down its loggers it prints INFO lines to standard output,
    /// after the log file has been closed; they would end up among a command's results.
    /// </summary>
    public static void StopQuietly(this IHost host, TimeSpan timeout)
    {
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try { host.StopAsync().Wait(timeout); }
        finally { Console.SetOut(console); }
    }

    public static ActorSystem System(this IHost host) => host.Services.GetRequiredService<ActorSystem>();
    public static IActorRegistry Registry(this IHost host) => host.Services.GetRequiredService<IActorRegistry>();
}
