using System.Xml;

namespace OrleansKms.Gateway.Sts;

/// <summary>STS GetCallerIdentity: the signer's ARN, unique id and account. Needs no permission, as in AWS.</summary>
internal static class GetCallerIdentity
{
    public static Action<XmlWriter> Run(StsCall call) => w =>
    {
        w.Element("Arn", call.Caller.PrincipalArn);
        w.Element("UserId", call.Caller.UserId);
        w.Element("Account", call.Caller.AccountId);
    };
}
