using System.Text.RegularExpressions;

namespace OrleansKms.UnitTests;

/// <summary>
/// Meta-tests over the test sources themselves: every test (each [Fact], and every row of each [Theory]) reaches
/// an assertion. A test body must assert (Assert.*, an Assert* helper, or a helper of its file that asserts) and
/// must not return early with a bare <c>return;</c>, which lets rows of a theory pass without checking anything.
/// </summary>
public sealed partial class TestHealthTests
{
    private static readonly string TestsRoot = FindTestsRoot();

    private static readonly string[] Files =
        [.. Directory.EnumerateFiles(TestsRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(TestsRoot, f))
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> TestFiles() => new(Files);

    [Fact]
    public void The_scan_finds_the_test_methods_of_both_test_projects()
    {
        var tests = Files.SelectMany(f => Methods(File.ReadAllText(Path.Combine(TestsRoot, f))).Where(m => m.IsTest)).Count();
        Assert.True(tests > 300, $"Only {tests} test methods found under {TestsRoot}: the scan is broken.");
    }

    /// <summary>Names of the methods (of any test file) that assert, directly or through helpers that do.</summary>
    private static readonly Lazy<HashSet<string>> Asserting = new(() =>
    {
        var methods = Files.SelectMany(f => Methods(File.ReadAllText(Path.Combine(TestsRoot, f)))).ToList();
        var asserting = methods.Where(m => Asserts().IsMatch(m.Body)).Select(m => m.Name).ToHashSet();
        for (var grown = true; grown;)
        {
            grown = false;
            foreach (var m in methods.Where(m => !asserting.Contains(m.Name) && Calls(m.Body, asserting)))
                grown |= asserting.Add(m.Name);
        }

        return asserting;
    });

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void Every_test_reaches_an_assertion_and_none_returns_early(string file)
    {
        var methods = Methods(File.ReadAllText(Path.Combine(TestsRoot, file))).ToList();
        var asserting = Asserting.Value;
        var silent = methods.Where(m => m.IsTest && !asserting.Contains(m.Name)).Select(m => m.Name).ToList();
        var early = methods.Where(m => m.IsTest && EarlyReturn().IsMatch(m.Body)).Select(m => m.Name).ToList();
        Assert.True(silent.Count == 0, $"{file}: tests that assert nothing: {string.Join(", ", silent)}");
        Assert.True(early.Count == 0, $"{file}: tests that can return before asserting: {string.Join(", ", early)}");
    }

    private static bool Calls(string body, HashSet<string> names) => names.Any(n => body.Contains(n + "(", StringComparison.Ordinal) || body.Contains(n + "<", StringComparison.Ordinal));

    private sealed record Method(string Name, bool IsTest, string Body);

    /// <summary>Every method of a C# source with its body (from its opening brace to the matching closing one).</summary>
    private static IEnumerable<Method> Methods(string source)
    {
        foreach (Match m in Signature().Matches(source))
        {
            var open = source.IndexOf('{', m.Index + m.Length - 1);
            var arrow = source.IndexOf("=>", m.Index + m.Length, StringComparison.Ordinal);
            var semicolon = source.IndexOf(';', m.Index + m.Length);
            string body;
            if (arrow >= 0 && (open < 0 || arrow < open) && (semicolon < 0 || arrow < semicolon))
            {
                body = source[arrow..(semicolon < 0 ? source.Length : semicolon)];
            }
            else if (open >= 0 && (semicolon < 0 || open < semicolon))
            {
                var depth = 0;
                var end = open;
                for (; end < source.Length; end++)
                {
                    if (source[end] == '{') depth++;
                    else if (source[end] == '}' && --depth == 0) break;
                }

                body = source[open..Math.Min(end + 1, source.Length)];
            }
            else
            {
                continue;
            }

            var attributes = source[Math.Max(0, m.Index - 400)..m.Index];
            var lastMember = Math.Max(attributes.LastIndexOf('}'), attributes.LastIndexOf(';'));
            var own = attributes[(lastMember + 1)..];
            yield return new Method(m.Groups["name"].Value, own.Contains("[Fact", StringComparison.Ordinal) || own.Contains("[Theory", StringComparison.Ordinal), body);
        }
    }

    [GeneratedRegex(@"(?:public|private|internal|protected)\s+(?:static\s+)?(?:async\s+)?[\w<>\[\],\s\?\(\)]+?\s+(?<name>\w+)\s*(?:<[^>]*>)?\s*\([^;{]*?\)\s*(?:where[^{]*)?(?=\s*(?:\{|=>))", RegexOptions.Singleline)]
    private static partial Regex Signature();

    [GeneratedRegex(@"\bAssert\w*\s*[\.(<]|\.Assert\w*\s*\(")]
    private static partial Regex Asserts();

    [GeneratedRegex(@"(?<![\w])return\s*;")]
    private static partial Regex EarlyReturn();

    private static string FindTestsRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansKms.sln"))) return Path.Combine(dir.FullName, "tests");
        }

        throw new DirectoryNotFoundException($"No OrleansKms.sln above {AppContext.BaseDirectory}.");
    }
}
