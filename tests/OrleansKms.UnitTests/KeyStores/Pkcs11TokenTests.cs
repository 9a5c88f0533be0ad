using System.Security.Cryptography;
using System.Text;
using OrleansKms.KeyStores;

namespace OrleansKms.UnitTests.KeyStores;

/// <summary>
/// The PKCS#11 token library against a real SoftHSM2 token made for this test class: keys stay in the token, AES-GCM
/// authenticates every byte, errors are clear and never carry the PIN. Skipped, saying how to install it, when
/// SoftHSM2 is absent.
/// </summary>
public sealed class Pkcs11TokenTests(SoftHsmTokenFixture softHsm) : IClassFixture<SoftHsmTokenFixture>
{
    private static readonly byte[] Aad = Encoding.UTF8.GetBytes("kms:aws:key/1234");

    private IHsmToken Token => softHsm.Token;

    private string NewKey()
    {
        var label = $"key-{Guid.NewGuid():N}";
        Token.GenerateAesKey(label);
        return label;
    }

    [Fact]
    public void Encrypt_then_decrypt_returns_the_plaintext_and_the_blob_is_iv_ciphertext_tag()
    {
        var key = NewKey();
        var plaintext = RandomNumberGenerator.GetBytes(100);

        var blob = Token.Encrypt(key, plaintext, Aad);

        Assert.Equal(12 + plaintext.Length + 16, blob.Length);
        Assert.Equal(plaintext, Token.Decrypt(key, blob, Aad));
        Assert.Empty(Token.Decrypt(key, Token.Encrypt(key, [], []), []));
    }

    [Fact]
    public void Every_flipped_byte_every_truncation_and_any_other_aad_fail_to_decrypt()
    {
        var key = NewKey();
        var blob = Token.Encrypt(key, "data key"u8, Aad);

        for (var i = 0; i < blob.Length; i++)
        {
            var altered = (byte[])blob.Clone();
            altered[i] ^= 0x01;
            Assert.Throws<CryptographicException>(() => Token.Decrypt(key, altered, Aad));
        }

        for (var length = 0; length < blob.Length; length++)
            Assert.Throws<CryptographicException>(() => Token.Decrypt(key, blob.AsSpan(0, length), Aad));
        Assert.Throws<CryptographicException>(() => Token.Decrypt(key, blob, Encoding.UTF8.GetBytes("kms:aws:key/1235")));
        Assert.Throws<CryptographicException>(() => Token.Decrypt(key, blob, []));
        Assert.Equal("data key"u8.ToArray(), Token.Decrypt(key, blob, Aad));
    }

    [Fact]
    public void A_blob_decrypts_only_with_the_key_that_made_it()
    {
        var (first, second) = (NewKey(), NewKey());
        var blob = Token.Encrypt(first, "secret"u8, Aad);

        Assert.Throws<CryptographicException>(() => Token.Decrypt(second, blob, Aad));
    }

    [Fact]
    public void Two_encryptions_of_the_same_plaintext_differ_in_iv_and_ciphertext()
    {
        var key = NewKey();

        var blobs = Enumerable.Range(0, 20).Select(_ => Convert.ToHexString(Token.Encrypt(key, "same"u8, Aad))).ToList();

        Assert.Equal(20, blobs.Distinct().Count());
        Assert.Equal(20, blobs.Select(b => b[..24]).Distinct().Count());
    }

    [Fact]
    public void A_generated_key_is_a_sensitive_never_extractable_aes_256_key_in_the_token()
    {
        var key = NewKey();

        var info = Assert.Single(Token.Keys(), k => k.Label == key);

        Assert.Equal(new HsmKeyInfo(key, "AES", 32, Extractable: false, Sensitive: true, NeverExtractable: true), info);
    }

    [Fact]
    public void HasKey_GenerateAesKey_and_DeleteKey_manage_keys_by_label()
    {
        var key = NewKey();
        var blob = Token.Encrypt(key, "gone soon"u8, Aad);

        Assert.True(Token.HasKey(key));
        var duplicate = Assert.Throws<InvalidOperationException>(() => Token.GenerateAesKey(key));
        Assert.Contains(key, duplicate.Message);
        Assert.Single(Token.Keys(), k => k.Label == key);

        Token.DeleteKey(key);

        Assert.False(Token.HasKey(key));
        Assert.DoesNotContain(Token.Keys(), k => k.Label == key);
        Assert.Throws<KeyNotFoundException>(() => Token.Decrypt(key, blob, Aad));
        Assert.Throws<KeyNotFoundException>(() => Token.Encrypt(key, "x"u8, Aad));
        Assert.Throws<KeyNotFoundException>(() => Token.DeleteKey(key));
    }

    [Fact]
    public void GenerateRandom_returns_the_asked_length_and_never_repeats()
    {
        Assert.Equal([0, 1, 16, 1000], new[] { 0, 1, 16, 1000 }.Select(n => Token.GenerateRandom(n).Length));
        var draws = Enumerable.Range(0, 50).Select(_ => Convert.ToHexString(Token.GenerateRandom(32))).ToList();
        Assert.Equal(50, draws.Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => Token.GenerateRandom(-1));
    }

    [Fact]
    public void A_wrong_pin_is_refused_with_a_message_naming_the_token_and_not_the_pin()
    {
        const string wrongPin = "wrong-pin-4711";

        // The fixture's token is logged in by this process already; a new token is not: both must check the PIN.
        var fresh = softHsm.CreateToken();
        foreach (var label in new[] { softHsm.Label, fresh })
        {
            var e = Assert.Throws<InvalidOperationException>(() => Pkcs11Tokens.Open(softHsm.Module, label, wrongPin));
            Assert.Contains($"'{label}'", e.Message);
            Assert.Contains("PIN is incorrect", e.Message);
            Assert.DoesNotContain(wrongPin, e.ToString());
            Assert.DoesNotContain(SoftHsmTokenFixture.UserPin, e.ToString());
        }

        using var opened = Pkcs11Tokens.Open(softHsm.Module, fresh, SoftHsmTokenFixture.UserPin);
        Assert.Equal(fresh, opened.TokenLabel);
    }

    [Fact]
    public void An_unknown_token_label_or_module_is_a_clear_error()
    {
        var noToken = Assert.Throws<InvalidOperationException>(() => Pkcs11Tokens.Open(softHsm.Module, "no-such-token", SoftHsmTokenFixture.UserPin));
        Assert.Contains("No initialized token labelled 'no-such-token'", noToken.Message);
        Assert.Contains(softHsm.Module, noToken.Message);
        Assert.DoesNotContain(SoftHsmTokenFixture.UserPin, noToken.ToString());

        var noModule = Assert.Throws<InvalidOperationException>(() => Pkcs11Tokens.Open("/nonexistent/libpkcs11.so", softHsm.Label, SoftHsmTokenFixture.UserPin));
        Assert.Contains("'/nonexistent/libpkcs11.so' was not found", noModule.Message);
    }

    [Fact]
    public void Two_handles_on_one_token_share_its_keys_and_closing_one_leaves_the_other_working()
    {
        var key = NewKey();
        var second = Pkcs11Tokens.Open(softHsm.Module, softHsm.Label, SoftHsmTokenFixture.UserPin);
        Assert.Equal(Token.SerialNumber, second.SerialNumber);

        var blob = second.Encrypt(key, "shared"u8, Aad);
        second.Dispose();

        Assert.Equal("shared"u8.ToArray(), Token.Decrypt(key, blob, Aad));
        Assert.Throws<ObjectDisposedException>(() => second.Encrypt(key, "x"u8, Aad));
    }

    [Fact]
    public async Task Concurrent_encrypts_and_decrypts_from_several_threads_all_succeed()
    {
        var keys = new[] { NewKey(), NewKey() };

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 40; i++)
            {
                var plaintext = Encoding.UTF8.GetBytes($"worker {worker} message {i}");
                var key = keys[(worker + i) % 2];
                Assert.Equal(plaintext, Token.Decrypt(key, Token.Encrypt(key, plaintext, Aad), Aad));
            }
        }, TestContext.Current.CancellationToken));

        await Task.WhenAll(workers);
    }
}

/// <summary>
/// One SoftHSM2 token per test class, in a token directory of this test process's own (see <see cref="SoftHsm"/>).
/// Every test that touches it is skipped, with the install command, when SoftHSM2 is not installed.
/// </summary>
public sealed class SoftHsmTokenFixture : IDisposable
{
    public const string UserPin = "user-1234", SoPin = "so-98765";
    private readonly Lazy<(string Label, IHsmToken Token)> _token;

    public SoftHsmTokenFixture() => _token = new(() =>
    {
        var label = CreateToken();
        return (label, Pkcs11Tokens.Open(Module, label, UserPin));
    });

    public string Module
    {
        get
        {
            var module = Pkcs11Tokens.SoftHsmModule;
            if (module is null) Assert.Skip("SoftHSM2 is not installed, so the PKCS#11 tests cannot run: apt-get install -y softhsm2");
            // Before the module is first loaded (SoftHSM reads its configuration once), whichever test comes first.
            SoftHsm.EnsureConfigured(Configured.Value);
            return module;
        }
    }

    public IHsmToken Token => _token.Value.Token;

    public string Label => _token.Value.Label;

    /// <summary>A new token (labels are unique per process), logged into by nobody yet.</summary>
    public string CreateToken()
    {
        _ = Module;
        SoftHsm.EnsureConfigured(Configured.Value);
        var label = $"t{Environment.ProcessId}-{Guid.NewGuid():N}"[..32];
        SoftHsm.CreateToken(label, SoPin, UserPin);
        return label;
    }

    public void Dispose()
    {
        if (_token.IsValueCreated) _token.Value.Token.Dispose();
    }

    /// <summary>/tmp/orleanskms-softhsm/PID, once per process; directories of processes that are gone are removed.</summary>
    private static readonly Lazy<string> Configured = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "orleanskms-softhsm");
        foreach (var stale in Directory.Exists(root) ? Directory.GetDirectories(root) : [])
        {
            try
            {
                if (int.TryParse(Path.GetFileName(stale), out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
                    Directory.Delete(stale, recursive: true);
            }
            catch (IOException)
            {
                // Another test process is cleaning up too.
            }
        }

        return Path.Combine(root, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    });

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
