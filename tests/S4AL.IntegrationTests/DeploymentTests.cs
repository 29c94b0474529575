using System.Diagnostics;
using Akka.Configuration;

namespace S4AL.IntegrationTests;

/// <summary>The deployment files: the compose file is valid for docker-compose, the cluster HOCON parses and says what the README says.</summary>
public class DeploymentTests
{
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "S4AL.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("S4AL.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task The_compose_file_is_valid_and_has_every_service_of_the_cluster()
    {
        var start = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", Path.Combine(RepoRoot(), "docker", "docker-compose.yml"), "config" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        using (var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            try { await process.WaitForExitAsync(bound.Token); }
            catch (OperationCanceledException) { process.Kill(); throw new TimeoutException("docker-compose config did not finish in 2 minutes"); }
        }
        Assert.True(process.ExitCode == 0, error);
        var config = await output;
        foreach (var service in new[] { "postgres:", "jaeger:", "coordinator:", "trainer-1:", "trainer-2:", "scorer-1:", "scorer-2:" })
            Assert.Contains(service, config);
        Assert.Contains("capabilities:", config); // GPU reservations of the trainers
        Assert.Contains("S4AL__Node__Journal: postgres:", config);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4317", config);
        Assert.Contains("/shared", config);
    }

    [Fact]
    public void The_cluster_hocon_files_parse_and_hold_what_hosting_cannot_express()
    {
        var root = Path.Combine(RepoRoot(), "cluster-config");
        var basic = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(root, "base.hocon")));
        Assert.Equal(1, basic.GetInt("s4al.protocol-version"));
        Assert.Equal(TimeSpan.FromSeconds(60), basic.GetTimeSpan("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes"));
        // The serializer, remoting, TLS, the split-brain resolver and sharding are the node's own (Akka.Hosting; NodeHostTests).
        Assert.False(basic.HasPath("akka.actor.serializers"));
        Assert.False(basic.HasPath("akka.cluster.downing-provider-class"));
        Assert.False(File.Exists(Path.Combine(root, "serialization.hocon")));
        Assert.False(File.Exists(Path.Combine(root, "tls.hocon")));
        var postgres = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(root, "persistence-postgres.hocon")));
        Assert.Equal("PostgreSQL.15", postgres.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.StartsWith("Host=", postgres.GetString("akka.persistence.journal.sql.connection-string"));
        // The role examples use the settings' variables.
        foreach (var env in Directory.GetFiles(Path.Combine(root, "roles"), "*.env"))
            Assert.All(File.ReadAllLines(env).Where(l => l.Length > 0 && !l.StartsWith('#')), l => Assert.StartsWith("S4AL__Node__", l));
    }
}
