using OpenTelemetry.Exporter;
using S4AL.Node.Hosting;

namespace S4AL.Node.Tests.Telemetry;

public class TelemetrySettingsTests
{
    static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Export_is_off_unless_an_endpoint_is_configured()
    {
        Assert.False(TelemetrySettings.Off.Enabled(Environment()));
        Assert.False(TelemetrySettings.Off.Enabled(Environment(("OTEL_SERVICE_NAME", "x"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"))));
        Assert.True(TelemetrySettings.Off.Enabled(Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4317"))));
        Assert.True(TelemetrySettings.Off.Enabled(Environment(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://jaeger:4318/v1/traces"))));
        var configured = new TelemetrySettings { Endpoint = new Uri("http://localhost:4317") };
        Assert.True(configured.Enabled(Environment()));
        Assert.False(configured.Enabled(Environment(("OTEL_SDK_DISABLED", "true"))));
    }

    [Theory]
    [InlineData("grpc", OtlpExportProtocol.Grpc)]
    [InlineData("http/protobuf", OtlpExportProtocol.HttpProtobuf)]
    [InlineData(" HTTP ", OtlpExportProtocol.HttpProtobuf)]
    public void Protocols_are_read_as_the_OTEL_variable_spells_them(string text, OtlpExportProtocol expected) =>
        Assert.Equal(expected, TelemetrySettings.ParseProtocol(text));

    [Fact]
    public void An_unknown_protocol_is_named() =>
        Assert.Contains("'http/json'", Assert.Throws<ArgumentException>(() => TelemetrySettings.ParseProtocol("http/json")).Message);
}
