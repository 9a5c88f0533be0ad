using System.Text.Json;
using OrleansKms.Crypto.Keys;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>
/// The enum value sets the gateway validates with are the model's, each in the order AWS lists it in a
/// ValidationException: AWS's recorded order where a response was recorded, else the model's; the wire names are
/// defined once.
/// </summary>
public sealed class ModelEnumsTests
{
    private static readonly JsonElement Shapes =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "kms-service-2.json")))
            .RootElement.GetProperty("shapes");

    private static readonly JsonElement Recorded =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "aws-recorded-kms-responses.json"))).RootElement;

    private static string[] Enum(string shape) => [.. Shapes.GetProperty(shape).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The values AWS listed in a recorded "Member must satisfy enum value set: [...]", in AWS's order.</summary>
    private static string[] RecordedEnum(string test, string entry)
    {
        var message = Recorded.EnumerateObject().Single(t => t.Name.EndsWith("::" + test, StringComparison.Ordinal)).Value
            .GetProperty("recorded-content").GetProperty(entry).GetProperty("Error").GetProperty("Message").GetString()!;
        var list = message[(message.IndexOf("enum value set: [", StringComparison.Ordinal) + "enum value set: [".Length)..].TrimEnd(']');
        return list.Split(", ");
    }

    /// <summary>Each enum set of <see cref="ModelEnums"/>, by the model's shape name.</summary>
    private static readonly Dictionary<string, string[]> SetOf = new()
    {
        ["KeySpec"] = ModelEnums.KeySpec,
        ["CustomerMasterKeySpec"] = ModelEnums.CustomerMasterKeySpec,
        ["KeyUsageType"] = ModelEnums.KeyUsage,
        ["OriginType"] = ModelEnums.Origin,
        ["GrantOperation"] = ModelEnums.GrantOperation,
        ["DataKeySpec"] = ModelEnums.DataKeySpec,
        ["EncryptionAlgorithmSpec"] = ModelEnums.EncryptionAlgorithm,
        ["SigningAlgorithmSpec"] = ModelEnums.SigningAlgorithm,
        ["MessageType"] = ModelEnums.MessageType,
        ["MacAlgorithmSpec"] = ModelEnums.MacAlgorithm,
        ["KeyAgreementAlgorithmSpec"] = ModelEnums.KeyAgreementAlgorithm,
        ["DataKeyPairSpec"] = ModelEnums.DataKeyPairSpec,
        ["AlgorithmSpec"] = ModelEnums.WrappingAlgorithm,
        ["WrappingKeySpec"] = ModelEnums.WrappingKeySpec,
        ["IncludeKeyMaterial"] = ModelEnums.IncludeKeyMaterial,
        ["ExpirationModelType"] = ModelEnums.ExpirationModel,
        ["ImportType"] = ModelEnums.ImportType,
        ["CustomKeyStoreType"] = ModelEnums.CustomKeyStoreType,
        ["XksProxyConnectivityType"] = ModelEnums.XksProxyConnectivity,
    };

    /// <summary>The sets listed in AWS's order, not the model's: those AWS's answer was recorded for, and CustomerMasterKeySpec.</summary>
    private static readonly string[] InAwsOrder = ["KeySpec", "CustomerMasterKeySpec", "KeyUsageType", "MacAlgorithmSpec"];

    public static TheoryData<string> Sets() => new(SetOf.Keys);

    /// <summary>Each recorded AWS answer that lists an enum set: the recorded test, its entry, the set's shape.</summary>
    public static TheoryData<string, string, string> RecordedOrders() => new()
    {
        { "test_hmac_create_key_invalid_operations", "create-hmac-key-invalid-spec", "KeySpec" },
        { "test_hmac_create_key_invalid_operations", "create-hmac-key-invalid-key-usage", "KeyUsageType" },
        { "test_invalid_generate_mac[HMAC_256-INVALID]", "generate-mac", "MacAlgorithmSpec" },
        { "test_invalid_verify_mac[HMAC_256-INVALID-some important message]", "verify-mac", "MacAlgorithmSpec" },
        { "test_derive_shared_secret", "response-invalid-key-agreement-algo", "KeyAgreementAlgorithmSpec" },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void Each_enum_set_has_the_models_values_once(string shape)
    {
        Assert.Equal(Enum(shape).Order(), SetOf[shape].Order());
        Assert.Equal(SetOf[shape].Length, SetOf[shape].Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Each_set_is_in_AWSs_order_where_it_was_recorded_else_in_the_models(string shape)
    {
        if (InAwsOrder.Contains(shape)) Assert.NotEqual(Enum(shape), SetOf[shape]);
        else Assert.Equal(Enum(shape), SetOf[shape]);
    }

    /// <summary>The values AWS listed come first, in its order; values AWS added after the recording follow in the model's order.</summary>
    [Theory]
    [MemberData(nameof(RecordedOrders))]
    public void A_recorded_set_lists_AWSs_values_in_AWSs_order_then_the_later_ones_in_the_models(string test, string entry, string shape)
    {
        var recorded = RecordedEnum(test, entry);

        Assert.Equal(recorded, SetOf[shape].Take(recorded.Length));
        Assert.Equal(Enum(shape).Where(v => !recorded.Contains(v)), SetOf[shape].Skip(recorded.Length));
    }

    [Fact]
    public void The_deprecated_CustomerMasterKeySpec_lists_its_values_in_KeySpecs_order()
    {
        Assert.Equal(ModelEnums.KeySpec.Where(ModelEnums.CustomerMasterKeySpec.Contains), ModelEnums.CustomerMasterKeySpec);
    }

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
