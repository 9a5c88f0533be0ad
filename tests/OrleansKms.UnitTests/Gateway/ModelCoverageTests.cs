using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansKms.Gateway.Operations;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>
/// Keeps the dispatch table and the error codes equal to the AWS API model (Reference/kms-service-2.json), and every
/// implemented operation covered by an AWS SDK compatibility test.
/// </summary>
public sealed class ModelCoverageTests
{
    private static readonly JsonDocument Model =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kms-service-2.json")));

    private static IEnumerable<string> ModelOperations() => Model.RootElement.GetProperty("operations").EnumerateObject().Select(p => p.Name);

    [Fact]
    public void Every_model_operation_has_an_entry_in_the_dispatch_table_and_no_other_name_does()
    {
        var table = OperationTable.Implemented.Keys.Concat(OperationTable.NotYetImplemented).Order().ToList();
        Assert.Equal(ModelOperations().Order().ToList(), table);
        Assert.Empty(OperationTable.Implemented.Keys.Intersect(OperationTable.NotYetImplemented));
    }

    [Fact]
    public void A_model_operations_name_is_one_shared_string_and_another_name_is_none()
    {
        foreach (var name in ModelOperations())
        {
            var first = OperationTable.ModelName(new string(name.AsSpan()));
            var second = OperationTable.ModelName(new string(name.AsSpan()));
            Assert.Equal(name, first);
            Assert.Same(first, second);
        }

        Assert.Null(OperationTable.ModelName("EncryptEverything"));
        Assert.Null(OperationTable.ModelName("encrypt"));
    }

    /// <summary>
    /// The AWS SDK names each call after its operation (<c>CreateGrantAsync</c> for CreateGrant), so a compatibility
    /// test of an operation calls <c>NAMEAsync(</c>; the look-behind keeps <c>ReEncryptAsync(</c> from counting for Encrypt.
    /// </summary>
    [Fact]
    public void Every_implemented_operation_has_an_AWS_SDK_compatibility_test()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "OrleansKms.IntegrationTests", "Compatibility");
        var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        var untested = OperationTable.Implemented.Keys
            .Where(operation => !sources.Any(source => Regex.IsMatch(source, $@"(?<!\w){operation}Async\(")))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(untested.Count == 0, $"Implemented operations that no test in {folder} calls through the AWS SDK: {string.Join(", ", untested)}");
    }

    [Fact]
    public void Every_error_shape_of_the_model_is_a_KmsErrorCode()
    {
        var errors = Model.RootElement.GetProperty("shapes").EnumerateObject()
            .Where(s => s.Value.TryGetProperty("exception", out var e) && e.GetBoolean())
            .Select(s => s.Name);
        var missing = errors.Where(e => !Enum.TryParse<KmsErrorCode>(e, out _)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_operation_of_the_model_is_implemented_so_none_answers_UnsupportedOperationException()
    {
        Assert.Empty(OperationTable.NotYetImplemented);
    }

    [Theory]
    [InlineData("Nope", KmsErrorCode.UnknownOperationException)]
    [InlineData("encrypt", KmsErrorCode.UnknownOperationException)]
    public void Names_outside_the_table_get_the_AWS_error(string operation, KmsErrorCode expected)
    {
        var e = Assert.Throws<KmsException>(() => OperationTable.Find(operation));
        Assert.Equal(expected, e.Code);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansKms.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"No OrleansKms.sln above {AppContext.BaseDirectory}.");
    }
}
