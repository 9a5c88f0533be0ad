using System.Text.Json;
using OrleansKms.Crypto.Keys;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>The enum value sets the gateway validates with are the model's, in the model's order; the wire names are defined once.</summary>
public sealed class ModelEnumsTests
{
    private static readonly JsonElement Shapes =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kms-service-2.json")))
            .RootElement.GetProperty("shapes");

    private static string[] Enum(string shape) => [.. Shapes.GetProperty(shape).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];

    public static TheoryData<string, string[]> Sets() => new()
    {
        { "KeySpec", ModelEnums.KeySpec },
        { "CustomerMasterKeySpec", ModelEnums.CustomerMasterKeySpec },
        { "KeyUsageType", ModelEnums.KeyUsage },
        { "OriginType", ModelEnums.Origin },
        { "GrantOperation", ModelEnums.GrantOperation },
        { "DataKeySpec", ModelEnums.DataKeySpec },
        { "EncryptionAlgorithmSpec", ModelEnums.EncryptionAlgorithm },
        { "SigningAlgorithmSpec", ModelEnums.SigningAlgorithm },
        { "MessageType", ModelEnums.MessageType },
        { "MacAlgorithmSpec", ModelEnums.MacAlgorithm },
        { "KeyAgreementAlgorithmSpec", ModelEnums.KeyAgreementAlgorithm },
        { "DataKeyPairSpec", ModelEnums.DataKeyPairSpec },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void Each_enum_set_is_the_models_in_its_order(string shape, string[] set) => Assert.Equal(Enum(shape), set);

    [Fact]
    public void The_key_spec_table_covers_the_models_key_specs_and_data_key_pair_specs()
    {
        Assert.Equal(ModelEnums.KeySpec.Order(), KeySpecCatalog.All.Select(s => s.KeySpec).Order());
        Assert.Equal(ModelEnums.DataKeyPairSpec.Order(), KeySpecCatalog.All.Where(s => s.IsDataKeyPairSpec).Select(s => s.KeySpec).Order());
        Assert.All(KeySpecCatalog.All.SelectMany(s => s.KeyUsages.SelectMany(s.GrantOperations)), o => Assert.Contains(o, ModelEnums.GrantOperation));
    }

    [Fact]
    public void The_contracts_defaults_are_the_wire_names()
    {
        Assert.Equal(KmsNames.SymmetricDefault, KmsValues.SymmetricDefault);
        Assert.Equal(KmsNames.EncryptDecrypt, KmsValues.EncryptDecrypt);
    }
}
