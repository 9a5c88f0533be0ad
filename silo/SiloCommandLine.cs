using System.Diagnostics.CodeAnalysis;
using OrleansKms;
using OrleansKms.Hosting;

namespace OrleansKms.Silo;

/// <summary>The silo's command line: each option sets one <see cref="KmsServerOptions"/> property.</summary>
internal static class SiloCommandLine
{
    public const string Usage = """
        Usage: dotnet run --project silo -- [options]
          --port N                      gateway port (default 4566)
          --listen-address IP           gateway listen address (default 127.0.0.1)
          --region NAME                 home Region: started at start, where --seed goes (default us-east-1)
          --regions LIST|all            Regions served, comma-separated (default all); each starts on first use
          --pkcs11-module PATH          PKCS#11 module of AWS_CLOUDHSM key stores (default: SoftHSM2's, if installed)
          --region-peer REGION=URL      a Region another server serves (repeatable): multi-Region keys replicate to it
          --region-link-key-file FILE   secret shared by the servers of a deployment for Region links
                                        (or KMS_REGION_LINK_KEY; default DATA-DIR/region-link.key)
          --data-dir DIR                data directory (default ./.kms-data)
          --storage azurite|memory      azurite (default, started by the service) or memory (volatile)
          --storage-connection-string S Azure Storage connection string (or KMS_STORAGE_CONNECTION_STRING); no Azurite is started
          --identities FILE             identities file (default: access key test, secret test, account 000000000000)
          --root-key-file FILE          root key, base64 of 32 bytes; FILE with {region} names each Region's
                                        (or KMS_ROOT_KEY for us-east-1, KMS_ROOT_KEY_EU_WEST_1 for eu-west-1, ...;
                                        default DATA-DIR/root.key for us-east-1, DATA-DIR/root-REGION.key for others)
          --silo-port N                 Orleans silo port (default 11111)
          --silo-gateway-port N         Orleans client gateway port (default 30000)
          --cluster-id ID               Orleans cluster id of us-east-1; others add -REGION (default orleans-kms)
          --service-id ID               Orleans service id of us-east-1; others add -REGION (default orleans-kms)
          --advertise-address HOST      address other silos reach this one at (default loopback)
          --dev-admin                   development only: /_kms/reset, /_kms/seed, Region stop/start for drills
          --seed FILE                   development: keys (fixed ids, material, aliases) created at start, YAML or JSON
          --quotas aws|FILE             enforce AWS's request quotas (ThrottlingException), or the rates of a JSON file
          --audit on|off                record every request in the audit trail (default on)
          --rsa-key-pool off|SIZE=N,... RSA keys kept ready for CreateKey, generated in the background at a
                                        low CPU priority (default 2048=8,3072=4,4096=4)
          --otlp-endpoint URL           export traces, metrics and logs (audit records too) over OTLP (default OTEL_EXPORTER_OTLP_ENDPOINT)
          --otlp-protocol grpc|http/protobuf   the OTLP protocol (default OTEL_EXPORTER_OTLP_PROTOCOL, else grpc)
                                        of quota name to requests per second (default: none)
        """;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out KmsServerOptions? options, out string? error)
    {
        options = new KmsServerOptions
        {
            StorageConnectionString = Environment.GetEnvironmentVariable("KMS_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs ? cs : null,
        };
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                options = null;
                return false;
            }

            if (name == "--dev-admin")
            {
                options.DevAdmin = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                options = null;
                return false;
            }

            var value = args[++i];
            if (!Apply(options, name, value, out error))
            {
                options = null;
                return false;
            }
        }

        return true;
    }

    private static bool Apply(KmsServerOptions o, string name, string value, out string? error)
    {
        error = null;
        switch (name)
        {
            case "--port": return Port(value, v => o.Port = v, name, out error);
            case "--silo-port": return Port(value, v => o.SiloPort = v, name, out error);
            case "--silo-gateway-port": return Port(value, v => o.SiloGatewayPort = v, name, out error);
            case "--listen-address": o.ListenAddress = value; return true;
            case "--region": o.Region = value; return true;
            case "--region-link-key-file": o.RegionLinkKeyFile = value; return true;
            case "--pkcs11-module": o.Pkcs11ModulePath = value; return true;
            case "--region-peer":
                var (peer, url) = (value.Split('=', 2) is [var r, var u] ? (r, u) : (value, ""));
                if (!AwsRegions.IsKnown(peer) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    error = $"--region-peer takes REGION=URL with an AWS Region and an http(s) URL, for example eu-west-1=http://kms-eu:4566 (not '{value}').";
                    return false;
                }

                o.RegionPeers[peer] = uri;
                return true;
            case "--regions":
                o.Regions = AwsRegions.ParseList(value, out error);
                return o.Regions is not null;
            case "--data-dir": o.DataDirectory = value; return true;
            case "--storage-connection-string": o.StorageConnectionString = value; return true;
            case "--identities": o.IdentitiesFile = value; return true;
            case "--root-key-file": o.RootKeyFile = value; return true;
            case "--cluster-id": o.ClusterId = value; return true;
            case "--service-id": o.ServiceId = value; return true;
            case "--advertise-address": o.AdvertisedAddress = value; return true;
            case "--seed": o.SeedFile = value; return true;
            case "--quotas": o.Quotas = value; return true;
            case "--otlp-endpoint":
                if (!Uri.TryCreate(value, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https"))
                {
                    error = "--otlp-endpoint takes an http(s) URL, for example http://127.0.0.1:4317.";
                    return false;
                }

                o.OtlpEndpoint = otlp;
                return true;
            case "--otlp-protocol":
                if (value is not ("grpc" or "http/protobuf")) { error = "--otlp-protocol takes grpc or http/protobuf."; return false; }
                o.OtlpProtocol = value;
                return true;
            case "--audit":
                if (value is not ("on" or "off")) { error = "--audit takes on or off."; return false; }
                o.Audit = value == "on";
                return true;
            case "--rsa-key-pool":
                if (OrleansKms.Grains.KeyPool.RsaKeyPoolOptions.Parse(value, out var poolError) is not { } pool)
                {
                    error = "--rsa-key-pool: " + poolError;
                    return false;
                }

                o.RsaKeyPool = pool;
                return true;
            case "--storage":
                if (value == "azurite") o.Storage = KmsStorageMode.Azurite;
                else if (value == "memory") o.Storage = KmsStorageMode.Memory;
                else { error = "--storage takes azurite or memory (use --storage-connection-string for Azure Storage)."; return false; }
                return true;
            default:
                error = $"Unknown option {name}.";
                return false;
        }
    }

    private static bool Port(string value, Action<int> set, string name, out string? error)
    {
        error = null;
        if (int.TryParse(value, out var port) && port is >= 0 and <= 65535)
        {
            set(port);
            return true;
        }

        error = $"{name} takes a port number (0-65535).";
        return false;
    }
}
