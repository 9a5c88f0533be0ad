namespace OrleansKms.UnitTests.Gateway;

/// <summary>
/// Alias names AWS refuses beyond the model's pattern: the pattern (<c>^[a-zA-Z0-9:/_-]+$</c>) lets a colon through,
/// AWS does not (its message quoted in hashicorp/terraform-provider-aws#12891).
/// </summary>
public sealed class AliasNamesTests
{
    [Theory]
    [InlineData("alias/my:alias")]
    [InlineData("alias/a:b:c")]
    public void An_alias_name_with_a_colon_is_AWSs_ValidationException(string name)
    {
        var e = Assert.Throws<KmsException>(() => AliasNames.EnsureCreatable(name));

        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        Assert.Equal($"{name} contains invalid characters for an alias", e.Message);
    }

    [Theory]
    [InlineData("alias/my-alias_/")]
    [InlineData("alias/My_Alias-2/x")]
    public void An_alias_name_of_letters_digits_slashes_underscores_and_dashes_is_accepted(string name)
    {
        Assert.Null(Record.Exception(() => AliasNames.EnsureCreatable(name)));
    }
}
