using System.Text.RegularExpressions;

namespace S4AL.Learning.Tests.Runtime;

/// <summary>
/// TorchSharp's one-argument add(x) / add_(x) and the tensor + operator pass a temporary alpha
/// Scalar that the finalizer thread may free while libtorch reads it (a rare crash: "Expected
/// false to be true ... toFloat"). The engine names every alpha (TorchScalars.One); this test
/// reads the sources so a new call of the one-argument form fails the tests. It does not see the
/// + operator on tensors (write x.add(y, TorchScalars.One) instead; the networks do).
/// </summary>
public class ScalarLifetimeTests
{
    static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "S4AL.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("S4AL.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Calls of add/add_ whose argument list has no top-level comma, i.e. no alpha.</summary>
    public static IEnumerable<string> AddsWithoutAlpha(string source, string file)
    {
        foreach (Match m in Regex.Matches(source, @"\.add_?\("))
        {
            int depth = 1, i = m.Index + m.Length;
            bool comma = false;
            for (; i < source.Length && depth > 0; i++)
            {
                char c = source[i];
                if (c is '(' or '[' or '{') depth++;
                else if (c is ')' or ']' or '}') depth--;
                else if (c == ',' && depth == 1) comma = true;
            }
            if (!comma)
            {
                int line = source[..m.Index].Count(c => c == '\n') + 1;
                yield return $"{file}:{line}: {source[m.Index..i]}";
            }
        }
    }

    [Fact]
    public void The_detector_finds_the_one_argument_form()
    {
        var found = AddsWithoutAlpha("x.add_(y.mul(z));\nx.add_(y, TorchScalars.One);\nx.add(f(a, b));", "t.cs").ToList();
        Assert.Equal(["t.cs:1: .add_(y.mul(z))", "t.cs:3: .add(f(a, b))"], found);
    }

    [Fact]
    public void Every_tensor_add_in_the_sources_names_its_alpha()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => AddsWithoutAlpha(File.ReadAllText(f), Path.GetRelativePath(src, f)))
            // Collections (List.Add, HashSet.Add) are capitalised; only tensor add/add_ are matched.
            .ToList();
        Assert.True(offenders.Count == 0, "pass TorchScalars.One as alpha:\n" + string.Join("\n", offenders));
    }
}
