using System.Text.Json;
using OrleansKms.Gateway.Operations;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>Keeps the dispatch table and the error codes equal to the AWS API model (Reference/kms-service-2.json).</summary>
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
    public void Every_error_shape_of_the_model_is_a_KmsErrorCode()
    {
        var errors = Model.RootElement.GetProperty("shapes").EnumerateObject()
            .Where(s => s.Value.TryGetProperty("exception", out var e) && e.GetBoolean())
            .Select(s => s.Name);
        var missing = errors.Where(e => !Enum.TryParse<KmsErrorCode>(e, out _)).ToList();
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("Nope", KmsErrorCode.UnknownOperationException)]
    [InlineData("encrypt", KmsErrorCode.UnknownOperationException)]
    [InlineData("ReplicateKey", KmsErrorCode.UnsupportedOperationException)]
    public void Names_outside_the_table_get_the_AWS_error(string operation, KmsErrorCode expected)
    {
        var e = Assert.Throws<KmsException>(() => OperationTable.Find(operation));
        Assert.Equal(expected, e.Code);
    }
}
