using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OrleansKms.KeyStores;

/// <summary>The attribute templates the token uses, and reading a key's attributes back.</summary>
internal static class Pkcs11Attributes
{
    private static readonly List<CKA> Described =
        [CKA.CKA_LABEL, CKA.CKA_KEY_TYPE, CKA.CKA_VALUE_LEN, CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE];

    /// <summary>
    /// An AES key that lives in the token and never leaves it: a token object, private (login needed), sensitive
    /// (its value is never readable) and not extractable (it cannot be wrapped out), for encryption and decryption only.
    /// </summary>
    public static List<IObjectAttribute> NewAesKey(string label, int lengthBytes)
    {
        var a = Pkcs11Modules.Factories.ObjectAttributeFactory;
        return
        [
            a.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            a.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            a.Create(CKA.CKA_VALUE_LEN, (ulong)lengthBytes),
            a.Create(CKA.CKA_TOKEN, true),
            a.Create(CKA.CKA_PRIVATE, true),
            a.Create(CKA.CKA_SENSITIVE, true),
            a.Create(CKA.CKA_EXTRACTABLE, false),
            a.Create(CKA.CKA_ENCRYPT, true),
            a.Create(CKA.CKA_DECRYPT, true),
            a.Create(CKA.CKA_WRAP, false),
            a.Create(CKA.CKA_UNWRAP, false),
            a.Create(CKA.CKA_LABEL, label),
        ];
    }

    /// <summary>The search template for every secret key.</summary>
    public static List<IObjectAttribute> SecretKeys() =>
        [Pkcs11Modules.Factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY)];

    /// <summary>The search template for the secret key of that label.</summary>
    public static List<IObjectAttribute> SecretKey(string label)
    {
        var a = Pkcs11Modules.Factories.ObjectAttributeFactory;
        return [a.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), a.Create(CKA.CKA_LABEL, label)];
    }

    /// <summary>A key's label and protection attributes; an attribute the key type lacks reads as empty, 0 or false.</summary>
    public static HsmKeyInfo Describe(ISession session, IObjectHandle key)
    {
        var values = session.GetAttributeValue(key, Described);
        var label = values[0].CannotBeRead ? "" : values[0].GetValueAsString() ?? "";
        var keyType = values[1].CannotBeRead ? "" : KeyTypeName((CKK)values[1].GetValueAsUlong());
        var length = values[2].CannotBeRead ? 0 : (int)values[2].GetValueAsUlong();
        return new HsmKeyInfo(label, keyType, length, Flag(values[3]), Flag(values[4]), Flag(values[5]));
    }

    private static bool Flag(IObjectAttribute attribute) => !attribute.CannotBeRead && attribute.GetValueAsBool();

    private static string KeyTypeName(CKK type)
    {
        var name = type.ToString();
        return name.StartsWith("CKK_", StringComparison.Ordinal) ? name[4..] : name;
    }
}
