using System.Text;
using System.Xml;

namespace OrleansKms.Gateway.Sts;

/// <summary>
/// STS's XML answers (AWS query protocol):
/// <c>&lt;ACTIONResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"&gt;&lt;ACTIONResult&gt;...&lt;/ACTIONResult&gt;
/// &lt;ResponseMetadata&gt;&lt;RequestId&gt;..&lt;/RequestId&gt;&lt;/ResponseMetadata&gt;&lt;/ACTIONResponse&gt;</c>, and errors as
/// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;</c>.
/// </summary>
internal static class StsXml
{
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    public const string Version = "2011-06-15";

    private static readonly XmlWriterSettings Settings = new() { OmitXmlDeclaration = true, Encoding = new UTF8Encoding(false) };

    public static byte[] Response(string action, string requestId, Action<XmlWriter> result) => Write(w =>
    {
        w.WriteStartElement(action + "Response", Namespace);
        w.WriteStartElement(action + "Result", Namespace);
        result(w);
        w.WriteEndElement();
        w.WriteStartElement("ResponseMetadata", Namespace);
        w.Element("RequestId", requestId);
        w.WriteEndElement();
        w.WriteEndElement();
    });

    public static byte[] Error(StsException error, string requestId) => Write(w =>
    {
        w.WriteStartElement("ErrorResponse", Namespace);
        w.WriteStartElement("Error", Namespace);
        w.Element("Type", error.Type);
        w.Element("Code", error.Code);
        w.Element("Message", error.Message);
        w.WriteEndElement();
        w.Element("RequestId", requestId);
        w.WriteEndElement();
    });

    public static void Element(this XmlWriter w, string name, string value) => w.WriteElementString(name, Namespace, value);

    private static byte[] Write(Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, Settings)) write(w);
        return buffer.ToArray();
    }
}
