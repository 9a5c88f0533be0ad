using OrleansKms.Gateway.Protocol;

namespace OrleansKms.UnitTests.Gateway;

public sealed class RequestValidatorTests
{
    private static string MessageOf(Action<RequestValidator> rules)
    {
        var v = new RequestValidator();
        rules(v);
        var e = Assert.Throws<KmsException>(v.ThrowIfInvalid);
        Assert.Equal(KmsErrorCode.ValidationException, e.Code);
        return e.Message;
    }

    [Fact]
    public void Numbers_out_of_range_are_worded_as_AWS_words_them()
    {
        Assert.Equal(
            "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
            MessageOf(v => v.Range(0, "NumberOfBytes", 1, 1024)));
        Assert.Equal(
            "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
            MessageOf(v => v.Range(1025, "NumberOfBytes", 1, 1024)));
    }

    [Fact]
    public void Sensitive_blobs_are_not_echoed()
    {
        Assert.Equal(
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
            MessageOf(v => v.Length(new byte[4097], "Plaintext", 1, 4096)));
    }

    [Fact]
    public void Missing_required_members_and_several_errors_are_counted()
    {
        Assert.Equal(
            "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
            "Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
            MessageOf(v => v.Required(null, "KeyId").Enum("HMAC_random", "KeySpec", ModelEnums.DataKeySpec)));
    }

    [Fact]
    public void Valid_input_passes()
    {
        Assert.Null(Record.Exception(() => new RequestValidator().Required("k", "KeyId").Length("k", "KeyId", 1, 2048).Range(5, "Limit", 1, 1000).ThrowIfInvalid()));
    }
}
