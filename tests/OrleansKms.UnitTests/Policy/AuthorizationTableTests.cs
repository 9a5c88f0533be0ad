using OrleansKms.Policy;

namespace OrleansKms.UnitTests.Policy;

internal static partial class AuthorizationTable
{
    public static readonly IReadOnlyDictionary<string, AuthorizationCase> Cases = BuildCases();

    private static Dictionary<string, AuthorizationCase> BuildCases()
    {
        var all = PrincipalCases().Concat(EffectCases()).Concat(ConditionCases()).Concat(KeyCases()).Concat(VariableCases()).ToList();
        var duplicate = all.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Two decision table rows are named \"{duplicate.Key}\".");
        return all.ToDictionary(c => c.Name);
    }
}

/// <summary>The KMS decision table: every row through <see cref="KmsAuthorizer.Authorize"/>.</summary>
public sealed class AuthorizationTableTests
{
    public static TheoryData<string> CaseNames() => new(AuthorizationTable.Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_row_gets_the_decision_AWS_KMS_makes(string name)
    {
        var row = AuthorizationTable.Cases[name];
        var decision = row.Decide();
        Assert.True(row.Expected == decision.Kind, $"{name}: expected {row.Expected}, got {decision.Kind}. Rule: {row.Rule}");
        Assert.Equal(row.Expected == KmsDecisionKind.Allow, decision.Allowed);
    }

    [Fact]
    public void The_table_has_at_least_200_rows_each_with_its_rule()
    {
        Assert.True(AuthorizationTable.Cases.Count >= 200, $"Only {AuthorizationTable.Cases.Count} rows.");
        Assert.All(AuthorizationTable.Cases.Values, c => Assert.False(string.IsNullOrWhiteSpace(c.Rule), c.Name));
        foreach (var kind in Enum.GetValues<KmsDecisionKind>())
            Assert.Contains(AuthorizationTable.Cases.Values, c => c.Expected == kind);
    }

    [Fact]
    public void Documents_compiled_once_decide_every_row()
    {
        // As the service does: parse per key snapshot, then decide request after request with the compiled documents.
        var compiled = AuthorizationTable.Cases.Values.Select(c => (Case: c, Request: c.Request(),
            Key: c.KeyPolicy is null ? null : PolicyDocument.Parse(c.KeyPolicy, PolicyKind.KeyPolicy),
            Ids: c.IdentityPolicies.Select(p => PolicyDocument.Parse(p, PolicyKind.IdentityPolicy)).ToArray())).ToList();
        for (var round = 0; round < 3; round++)
        {
            var wrong = compiled.Where(c => KmsAuthorizer.Authorize(c.Request, c.Key, c.Case.KeyAccountId, c.Ids, c.Case.GrantAllows).Kind != c.Case.Expected)
                .Select(c => c.Case.Name).ToList();
            Assert.Empty(wrong);
        }
    }
}
