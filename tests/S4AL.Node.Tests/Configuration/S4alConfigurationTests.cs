using System.CommandLine;
using S4AL.Node.Commands;
using S4AL.Node.Configuration;

namespace S4AL.Node.Tests.Configuration;

/// <summary>
/// Settings from appsettings.json, S4AL__ variables and options, in that precedence. The
/// environment is a dictionary handed to the binder, never the test process's own.
/// </summary>
public class S4alConfigurationTests
{
    static readonly Dictionary<string, string> NoVariables = [];

    static string Json(string text)
    {
        var dir = Path.Combine(Path.GetTempPath(), "s4al-node-tests-config", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "appsettings.json");
        File.WriteAllText(file, text);
        return file;
    }

    const string Settings = """
        {
          "Node": {
            "Roles": [ "scorer" ],
            "Host": "10.0.0.7",
            "Port": 4053,
            "SeedNodes": [ "akka.tcp://s4al@10.0.0.5:4053", "akka.tcp://s4al@10.0.0.6:4053" ],
            "Threads": 3
          },
          "Telemetry": { "Endpoint": "http://jaeger:4317" },
          "NativeHeap": "system"
        }
        """;

    /// <summary>The node command's options parsed from <paramref name="args"/>, as the top layer.</summary>
    static SettingsLayer Options(params string[] args)
    {
        var cluster = new ClusterOptions();
        var telemetry = SettingOptions.Telemetry();
        var threads = new Option<int>("--threads");
        var trainers = NodeCommand.TrainersOption();
        var command = new RootCommand();
        cluster.AddTo(command);
        telemetry.AddTo(command);
        command.Options.Add(threads);
        command.Options.Add(trainers);
        return telemetry.MapTo(cluster.Given(command.Parse(args)).Map(threads, "Node:Threads").Map(trainers, NodeCommand.TrainersSetting)).ToLayer();
    }

    [Fact]
    public void Values_come_from_appsettings_json_alone()
    {
        var s = S4alConfiguration.Bind(S4alConfiguration.Build(Json(Settings), NoVariables, Options()));
        Assert.Equal(["scorer"], s.Node.Roles);
        Assert.Equal("10.0.0.7", s.Node.Host);
        Assert.Equal(4053, s.Node.Port);
        Assert.Equal(["akka.tcp://s4al@10.0.0.5:4053", "akka.tcp://s4al@10.0.0.6:4053"], s.Node.SeedNodes);
        Assert.Equal(3, s.Node.Threads);
        Assert.Equal(new Uri("http://jaeger:4317"), s.Telemetry.Endpoint);
        Assert.Equal("system", s.NativeHeap);
        Assert.Equal("cpu", s.Node.Device); // not set anywhere: the default
    }

    [Fact]
    public void S4AL_variables_override_appsettings_json()
    {
        var variables = new Dictionary<string, string>
        {
            ["S4AL__Node__Port"] = "5000",
            ["S4AL__Node__SeedNodes__0"] = "akka.tcp://s4al@10.0.0.9:4053", // replaces the file's two seeds, not only the first
            ["S4AL__Node__Roles"] = "trainer,replay",
            ["S4AL_NODE_PORT"] = "1", // one underscore: not a setting
            ["PATH"] = "/usr/bin",
        };
        var s = S4alConfiguration.Bind(S4alConfiguration.Build(Json(Settings), variables, Options()));
        Assert.Equal(5000, s.Node.Port);
        Assert.Equal(["akka.tcp://s4al@10.0.0.9:4053"], s.Node.SeedNodes);
        Assert.Equal(["trainer", "replay"], s.Node.Roles);
        Assert.Equal("10.0.0.7", s.Node.Host); // only in the file
    }

    [Fact]
    public void Options_override_variables_and_appsettings_json_and_options_not_given_do_not()
    {
        var variables = new Dictionary<string, string> { ["S4AL__Node__Port"] = "5000", ["S4AL__Node__Host"] = "10.0.0.8" };
        var s = S4alConfiguration.Bind(S4alConfiguration.Build(Json(Settings), variables,
            Options("--port", "6000", "--seed-nodes", "akka.tcp://s4al@10.0.0.1:4053", "--otlp-endpoint", "http://collector:4318", "--threads", "1")));
        Assert.Equal(6000, s.Node.Port);
        Assert.Equal(["akka.tcp://s4al@10.0.0.1:4053"], s.Node.SeedNodes);
        Assert.Equal(new Uri("http://collector:4318"), s.Telemetry.Endpoint);
        Assert.Equal(1, s.Node.Threads);
        Assert.Equal("10.0.0.8", s.Node.Host); // --host not given: the variable
        Assert.Equal(["scorer"], s.Node.Roles); // --roles not given, no variable: the file
    }

    [Fact]
    public void A_missing_config_file_is_an_error_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "s4al-no-such-dir", "appsettings.json");
        var e = Assert.Throws<UsageException>(() => S4alConfiguration.Build(missing, NoVariables));
        Assert.Equal($"--config {missing}: file not found", e.Message);
    }

    [Fact]
    public void Malformed_json_is_an_error_naming_the_file()
    {
        var file = Json("{ \"Node\": { \"Port\": 4053, ");
        var e = Assert.Throws<UsageException>(() => S4alConfiguration.Build(file, NoVariables));
        Assert.StartsWith($"{file}: not valid JSON", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("""{ "Node": { "Port": "abc" } }""", "Node:Port = abc")]
    [InlineData("""{ "Node": { "Port": 70000 } }""", "Node:Port = 70000")]
    [InlineData("""{ "Node": { "Roles": [ "scorer", "gardener" ] } }""", "Node:Roles:1 = gardener")]
    [InlineData("""{ "Node": { "Prot": 1 } }""", "Node:Prot = 1")]
    public void An_invalid_value_in_the_file_names_the_file_key_and_value(string json, string named)
    {
        var file = Json(json);
        var e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(file, NoVariables)));
        Assert.StartsWith($"{file} {named}: ", e.Message);
    }

    [Fact]
    public void An_invalid_variable_or_option_is_named_as_the_user_wrote_it()
    {
        var e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), new Dictionary<string, string> { ["S4AL__Node__Port"] = "abc" })));
        Assert.StartsWith("S4AL__Node__Port=abc: ", e.Message);
        e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), NoVariables, Options("--port", "70000"))));
        Assert.Equal("--port 70000: must be a port number 0..65535", e.Message);
        e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), NoVariables, Options("--seed-nodes", "http://nowhere"))));
        Assert.StartsWith("--seed-nodes http://nowhere: not a seed node address", e.Message);
    }

    [Fact]
    public void The_annotation_page_is_set_like_any_setting_and_a_bad_address_or_token_names_its_origin()
    {
        var defaults = S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), NoVariables, Options()));
        Assert.Equal((new Uri("http://127.0.0.1:5080"), (string?)null), (defaults.Annotation.Url, defaults.Annotation.Token));

        var file = Json("""{ "Annotation": { "Url": "http://0.0.0.0:5081", "Token": "0123456789abcdef-from-file" } }""");
        var variables = new Dictionary<string, string> { ["S4AL__Annotation__Url"] = "http://127.0.0.1:6000" };
        var s = S4alConfiguration.Bind(S4alConfiguration.Build(file, variables, Options()));
        Assert.Equal((new Uri("http://127.0.0.1:6000"), "0123456789abcdef-from-file"), (s.Annotation.Url, s.Annotation.Token));
        foreach (var command in new[] { "run", "node" })
            Assert.Contains(S4alCli.Create().Subcommands.Single(c => c.Name == command).Options, o => o.Name == "--annotate-url");
        // The role is asked for by name; a node given none takes the four compute roles only.
        var role = new Dictionary<string, string> { ["S4AL__Node__Roles"] = "annotation,coordinator" };
        Assert.Equal(["annotation", "coordinator"], S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), role, Options())).Node.Roles);
        Assert.DoesNotContain("annotation", defaults.Node.Roles);

        var badUrl = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"),
            new Dictionary<string, string> { ["S4AL__Annotation__Url"] = "http://annotate.example:5080" }, Options())));
        Assert.StartsWith("S4AL__Annotation__Url=http://annotate.example:5080: ", badUrl.Message);
        Assert.Contains("IP address", badUrl.Message);
        var badToken = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("""{ "Annotation": { "Token": "short" } }"""), NoVariables, Options())));
        Assert.Contains("Annotation:Token", badToken.Message);
        Assert.Contains("16 to 256 characters", badToken.Message);
        var unknown = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("""{ "Annotation": { "Port": 5 } }"""), NoVariables, Options())));
        Assert.Contains("Annotation:Port", unknown.Message);
    }

    [Fact]
    public void The_trainer_count_is_set_like_any_setting_and_below_one_is_refused_naming_its_origin()
    {
        Assert.Equal(1, S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), NoVariables, Options())).Trainer.Count);
        var file = Json("""{ "Trainer": { "Count": 3 } }""");
        Assert.Equal(3, S4alConfiguration.Bind(S4alConfiguration.Build(file, NoVariables, Options())).Trainer.Count);
        var variables = new Dictionary<string, string> { ["S4AL__Trainer__Count"] = "2" };
        Assert.Equal(2, S4alConfiguration.Bind(S4alConfiguration.Build(file, variables, Options())).Trainer.Count);
        Assert.Equal(4, S4alConfiguration.Bind(S4alConfiguration.Build(file, variables, Options("--trainers", "4"))).Trainer.Count);
        foreach (var command in new[] { "sweep", "node" })
            Assert.Contains(S4alCli.Create().Subcommands.Single(c => c.Name == command).Options, o => o.Name == "--trainers");
        // One experiment trains on one trainer: `s4al run` has nothing to give a second one.
        Assert.DoesNotContain(S4alCli.Create().Subcommands.Single(c => c.Name == "run").Options, o => o.Name == "--trainers");

        var e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), NoVariables, Options("--trainers", "0"))));
        Assert.Equal("--trainers 0: must be a number of trainers, at least 1", e.Message);
        var zero = Json("""{ "Trainer": { "Count": 0 } }""");
        e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(zero, NoVariables, Options())));
        Assert.StartsWith($"{zero} Trainer:Count = 0: ", e.Message);
        e = Assert.Throws<UsageException>(() => S4alConfiguration.Bind(S4alConfiguration.Build(Json("{}"), new Dictionary<string, string> { ["S4AL__Trainer__Cuont"] = "2" }, Options())));
        Assert.Contains("unknown setting", e.Message);
    }
}
