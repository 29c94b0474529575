using System.Collections;
using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using OpenTelemetry.Exporter;
using S4AL.Actors.Hosting;
using S4AL.Annotation.Web;
using S4AL.Learning;
using S4AL.Node.Commands;
using S4AL.Node.Hosting;

namespace S4AL.Node.Configuration;

/// <summary>
/// Binds <see cref="S4alSettings"/> with Microsoft.Extensions.Configuration from three layers,
/// each overriding the one before: appsettings.json (in the working folder, optional, or the
/// file named by --config, required), environment variables prefixed S4AL__ (S4AL__Node__Port,
/// S4AL__Node__SeedNodes__0, ...), and the options given on the command line. A value that does
/// not fit is one line naming where it came from (file and key, variable, or option) and the value.
/// </summary>
public static class S4alConfiguration
{
    public const string EnvironmentPrefix = "S4AL__";
    public const string DefaultFile = "appsettings.json";
    public const string ConfigOptionName = "--config";

    /// <summary>--config FILE, on the root command and every subcommand.</summary>
    public static Option<string?> ConfigOption() => new(ConfigOptionName)
    {
        Description = $"Settings file (JSON; default: {DefaultFile} in the working folder, if there is one); S4AL__ variables and options override it",
        Recursive = true,
    };

    /// <summary>The settings of this process: --config (or ./appsettings.json), its S4AL__ variables, and the options it was given.</summary>
    public static S4alSettings Load(GivenOptions given) =>
        Bind(Build(ConfigFile(given.Parse), ProcessEnvironment(), given.ToLayer()));

    /// <summary>The file named by --config, or null.</summary>
    public static string? ConfigFile(ParseResult parse) =>
        parse.RootCommandResult.Command.Options.FirstOrDefault(o => o.Name == ConfigOptionName) is Option<string?> option ? parse.GetValue(option) : null;

    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");

    /// <summary>
    /// The layers: <paramref name="configFile"/> (null: ./appsettings.json if it exists), the S4AL__
    /// entries of <paramref name="environment"/>, then <paramref name="options"/> (null: none).
    /// </summary>
    public static IConfigurationRoot Build(string? configFile, IReadOnlyDictionary<string, string> environment, SettingsLayer? options = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new UsageException($"{ConfigOptionName} {configFile}: file not found");
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        else builder.AddJsonFile(Path.GetFullPath(DefaultFile), optional: true, reloadOnChange: false);
        var variables = environment
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(e => e.Key[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
        builder.Add(new SettingsLayer(variables, (key, value) => $"{EnvironmentPrefix}{key.Replace(ConfigurationPath.KeyDelimiter, "__")}={value}"));
        if (options is not null) builder.Add(options);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            // JsonConfigurationProvider: "Could not parse the JSON file." with the parser's position inside.
            throw new UsageException($"{configFile ?? DefaultFile}: not valid JSON ({(e.InnerException ?? e).Message})");
        }
    }

    /// <summary>Reads and checks every setting; the error names the source and value of the first that does not fit.</summary>
    public static S4alSettings Bind(IConfigurationRoot config)
    {
        var read = new Reader(config);
        read.RejectUnknownKeys();
        var defaults = new S4alSettings();
        var node = defaults.Node;
        return new S4alSettings
        {
            Node = new NodeSection
            {
                Roles = read.List("Node:Roles", NodeRoles.Parse)?.Distinct().ToArray() ?? node.Roles,
                Host = read.Value("Node:Host", NonEmpty, node.Host),
                Port = read.Value("Node:Port", Port, node.Port),
                SeedNodes = read.List("Node:SeedNodes", SeedNodes) ?? node.SeedNodes,
                Journal = read.Value("Node:Journal", Journal, node.Journal),
                Hocon = read.List("Node:Hocon", ExistingFiles) ?? node.Hocon,
                Device = read.Value("Node:Device", Device, node.Device),
                Threads = read.Value("Node:Threads", Threads, node.Threads),
                Tls = read.Value<string?>("Node:Tls:Pfx", ExistingFile, null) is { } pfx
                    ? new TlsSettings(pfx, read.Value("Node:Tls:Pfx", _ => OpensWith(pfx, config["Node:Tls:Password"] ?? ""), ""),
                        read.Value("Node:Tls:SuppressValidation", Boolean, false))
                    : null,
            },
            Trainer = new TrainerSection { Count = read.Value("Trainer:Count", Trainers, defaults.Trainer.Count) },
            Telemetry = new TelemetrySettings
            {
                Endpoint = read.Value<Uri?>("Telemetry:Endpoint", OtlpEndpoint, null),
                Protocol = read.Value<OtlpExportProtocol?>("Telemetry:Protocol", t => TelemetrySettings.ParseProtocol(t), null),
            },
            Annotation = new AnnotationSection
            {
                Url = read.Value("Annotation:Url", AnnotationUrl, defaults.Annotation.Url),
                Token = read.Value<string?>("Annotation:Token", PageAccess.CheckToken, null),
            },
            NativeHeap = read.Value("NativeHeap", S4AL.Learning.NativeHeap.ParseMode, defaults.NativeHeap),
        };
    }

    /// <summary>Every key the settings have; lists take indexed children (Node:Roles:0) or one comma-separated value.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "Node:Roles", "Node:Host", "Node:Port", "Node:SeedNodes", "Node:Journal", "Node:Hocon", "Node:Device", "Node:Threads",
        "Node:Tls:Pfx", "Node:Tls:Password", "Node:Tls:SuppressValidation", "Trainer:Count", "Telemetry:Endpoint", "Telemetry:Protocol", "Annotation:Url", "Annotation:Token", "NativeHeap",
    ];

    static Uri AnnotationUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url)) throw new ArgumentException("expected http://HOST:PORT, e.g. http://127.0.0.1:5080");
        AnnotationPage.Endpoint(url);
        return url;
    }

    static string NonEmpty(string text) => string.IsNullOrWhiteSpace(text) ? throw new ArgumentException("must not be empty") : text.Trim();

    static int Port(string text) =>
        int.TryParse(text, out var port) && port is >= 0 and <= 65535 ? port : throw new ArgumentException("must be a port number 0..65535");

    static int Threads(string text) =>
        int.TryParse(text, out var threads) && threads >= 1 ? threads : throw new ArgumentException("must be a number of threads, at least 1");

    static int Trainers(string text) =>
        int.TryParse(text, out var trainers) && trainers >= 1 ? trainers : throw new ArgumentException("must be a number of trainers, at least 1");

    static bool Boolean(string text) => bool.TryParse(text, out var b) ? b : throw new ArgumentException("expected true or false");

    static string Device(string text)
    {
        Devices.Parse(text);
        return text.Trim();
    }

    static IEnumerable<string> SeedNodes(string text)
    {
        foreach (var seed in Split(text))
        {
            try
            {
                var address = Address.Parse(seed);
                if (address.System != NodeHost.SystemName || address.Host is null || address.Port is null)
                    throw new UriFormatException("expected akka.tcp://" + NodeHost.SystemName + "@HOST:PORT");
            }
            catch (UriFormatException e) { throw new ArgumentException($"not a seed node address ({e.Message})"); }
            yield return seed;
        }
    }

    static PersistenceOptions? Journal(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (text.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase)) return PersistenceOptions.PostgreSql(text["postgres:".Length..]);
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)) return PersistenceOptions.Sqlite(text["sqlite:".Length..]);
        throw new ArgumentException("expected sqlite:FILE or postgres:CONNECTION-STRING");
    }

    static string ExistingFile(string path) => File.Exists(path) ? Path.GetFullPath(path) : throw new ArgumentException("file not found");

    static IEnumerable<string> ExistingFiles(string text) => Split(text).Select(ExistingFile);

    static Uri OtlpEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri : throw new ArgumentException("expected an http:// or https:// address, e.g. http://localhost:4317");

    /// <summary><paramref name="password"/> if it opens the certificate (with its private key) in <paramref name="pfx"/>.</summary>
    static string OpensWith(string pfx, string password)
    {
        try { X509CertificateLoader.LoadPkcs12FromFile(pfx, password).Dispose(); }
        catch (CryptographicException e) { throw new ArgumentException($"cannot open the certificate with Node:Tls:Password ({e.Message})"); }
        return password;
    }

    static string[] Split(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads values and names their origin when one does not parse.</summary>
    sealed class Reader(IConfigurationRoot config)
    {
        /// <summary>The value of <paramref name="key"/>, parsed; <paramref name="fallback"/> when not set.</summary>
        public T Value<T>(string key, Func<string, T> parse, T fallback) => config[key] is { } text ? Parsed(key, text, parse) : fallback;

        /// <summary>A list: its indexed children, or one comma-separated value; null when not set.</summary>
        public IReadOnlyList<T>? List<T>(string key, Func<string, IEnumerable<T>> parse)
        {
            var section = config.GetSection(key);
            var children = section.GetChildren().ToList();
            if (children.Count > 0)
                return children.SelectMany(c => c.Value is { } text ? Parsed(c.Path, text, t => parse(t).ToList()) : throw Bad(c.Path, "(a section)", "expected a value")).ToList();
            return section.Value is { } value ? Parsed(key, value, t => parse(t).ToList()) : null;
        }

        T Parsed<T>(string key, string text, Func<string, T> parse)
        {
            try { return parse(text); }
            catch (ArgumentException e) { throw Bad(key, text, CommandErrors.MessageOf(e)); }
        }

        public void RejectUnknownKeys()
        {
            foreach (var (key, value) in config.AsEnumerable())
            {
                if (value is null || !(key.StartsWith("Node:", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Telemetry:", StringComparison.OrdinalIgnoreCase)
                                       || key.StartsWith("Trainer:", StringComparison.OrdinalIgnoreCase)
                                       || key.StartsWith("Annotation:", StringComparison.OrdinalIgnoreCase) || key.Equals("NativeHeap", StringComparison.OrdinalIgnoreCase)))
                    continue;
                var known = S4alConfiguration.Keys.Any(k => key.Equals(k, StringComparison.OrdinalIgnoreCase)
                    || (key.StartsWith(k + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase) && int.TryParse(key[(k.Length + 1)..], out _)));
                if (!known) throw Bad(key, value, "unknown setting; known: " + string.Join(", ", S4alConfiguration.Keys));
            }
        }

        UsageException Bad(string key, string value, string why)
        {
            foreach (var provider in config.Providers.Reverse())
            {
                if (!provider.TryGet(key, out var given)) continue;
                return provider switch
                {
                    SettingsLayer layer => new UsageException($"{layer.Origin(key, value)}: {why}"),
                    JsonConfigurationProvider json => new UsageException($"{json.Source.FileProvider?.GetFileInfo(json.Source.Path ?? "").PhysicalPath ?? json.Source.Path} {key} = {value}: {why}"),
                    _ => new UsageException($"{key} = {value}: {why}"),
                };
            }
            return new UsageException($"{key} = {value}: {why}");
        }
    }
}
