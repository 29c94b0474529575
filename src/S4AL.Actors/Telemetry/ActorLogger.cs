using System.Diagnostics;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Event;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace S4AL.Actors.Telemetry;

/// <summary>
/// The log of S4AL's own actors. Lines go to Microsoft.Extensions.Logging synchronously, on the
/// thread that does the work, with the span they belong to made current, so every line of a
/// cycle carries its trace id (in s4al.log and in OTLP log records). Akka's own log adapter is
/// asynchronous: by the time its logger actor writes, the span is gone. Without a host (plain
/// TestKit), lines go to Akka's adapter instead.
/// </summary>
public sealed class ActorLogger
{
    readonly ILogger? _logger;
    readonly ILoggingAdapter _akka;

    ActorLogger(ILogger? logger, ILoggingAdapter akka)
    {
        _logger = logger;
        _akka = akka;
    }

    public static ActorLogger For(IActorContext context, Type category)
    {
        ILoggerFactory? factory = null;
        try { factory = DependencyResolver.For(context.System).Resolver.GetService<ILoggerFactory>(); }
        catch (Akka.Configuration.ConfigurationException) { } // no DependencyResolverSetup: a plain ActorSystem (TestKit)
        return new ActorLogger(factory?.CreateLogger(category.FullName ?? category.Name), context.GetLogger());
    }

    public void Info(Activity? span, string template, params object?[] args) => Write(span, LogLevel.Information, null, template, args);
    public void Warning(Activity? span, string template, params object?[] args) => Write(span, LogLevel.Warning, null, template, args);
    public void Error(Activity? span, Exception? error, string template, params object?[] args) => Write(span, LogLevel.Error, error, template, args);

    void Write(Activity? span, LogLevel level, Exception? error, string template, object?[] args)
    {
        if (_logger is null)
        {
            switch (level)
            {
                case LogLevel.Information: _akka.Info(template, args); break;
                case LogLevel.Warning: _akka.Warning(template, args); break;
                default: _akka.Error(error, template, args); break;
            }
            return;
        }
        using var _ = S4alTelemetry.Enter(span);
#pragma warning disable CA2254 // the templates are constants at every call site, in Akka's positional style
        _logger.Log(level, error, template, args);
#pragma warning restore CA2254
    }
}
