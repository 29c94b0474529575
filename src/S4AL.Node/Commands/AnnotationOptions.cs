using System.CommandLine;
using S4AL.Node.Configuration;

namespace S4AL.Node.Commands;

/// <summary>--annotate-url and --annotate-token (run, node): the settings Annotation:Url and Annotation:Token of the annotation page.</summary>
public sealed class AnnotationOptions
{
    readonly Option<string> _url = new("--annotate-url")
    {
        Description = "Where the annotation page listens (role annotation; on in `s4al run --annotator human`): http://HOST:PORT, default http://127.0.0.1:5080 (this machine only); setting Annotation:Url",
    };
    readonly Option<string> _token = new("--annotate-token")
    {
        Description = "Access token of the annotation page (16+ characters); required by every request when given; on an address other than loopback one is generated and printed if none is given; setting Annotation:Token",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_url);
        command.Options.Add(_token);
    }

    /// <summary>Adds the annotation options the user gave to <paramref name="given"/>.</summary>
    public GivenOptions MapTo(GivenOptions given) => given.Map(_url, "Annotation:Url").Map(_token, "Annotation:Token");
}
