using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace S4AL.Node.Hosting;

/// <summary>
/// Writes log lines to one file (the run folder's s4al.log, a node's --log), flushed per
/// line so a killed process leaves its last words. A line written inside a span carries the
/// span's trace id (the id Jaeger finds the cycle's trace by). Microsoft.Extensions.Logging has
/// no file sink of its own.
/// </summary>
public sealed class FileLoggerProvider : ILoggerProvider
{
    readonly TextWriter _writer;
    readonly LogLevel _minimum;
    readonly object _gate = new();

    FileLoggerProvider(TextWriter writer, LogLevel minimum)
    {
        _writer = writer;
        _minimum = minimum;
    }

    public static FileLoggerProvider ToFile(string path, LogLevel minimum)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        return new FileLoggerProvider(writer, minimum);
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }

    void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var trace = Activity.Current is { IdFormat: ActivityIdFormat.W3C } span ? $" trace={span.TraceId}" : "";
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss.fff} {Short(level)}{trace} {category}: {message}");
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
                if (exception is not null) _writer.WriteLine(exception.ToString());
            }
            catch (ObjectDisposedException) { }
        }
    }

    static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC", LogLevel.Debug => "DBG", LogLevel.Information => "INF",
        LogLevel.Warning => "WRN", LogLevel.Error => "ERR", _ => "CRT",
    };

    sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) provider.Write(logLevel, category, formatter(state, exception), exception);
        }
    }
}
