package dev.ra.transport.netty;

import dev.ra.testkit.ThreadPerTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and node certificates (PKCS12 key stores) made with the JDK's {@code keytool},
 * for TLS tests: {@code ca.p12}/{@code trust.p12} (the trusted CA) and one {@code <name>.p12} per identity, whose
 * certificate's common name is the name. {@link #untrusted} makes a self-signed identity no node trusts.
 */
final class TestCertificates
{
    static final char[] PASSWORD = "changeit".toCharArray();

    private final Path dir;

    private TestCertificates(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @param dir        to write the stores to.
     * @param identities common names to issue certificates for, signed by the CA.
     * @return the certificates.
     */
    static TestCertificates create(final Path dir, final String... identities)
    {
        final TestCertificates certs = new TestCertificates(dir);
        certs.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=ra-test-ca", "-ext", "bc:c", "-keyalg", "EC",
            "-validity", "2", "-keystore", "ca.p12");
        certs.keytool("-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", "ca.p12");
        certs.keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-noprompt", "-keystore", "trust.p12");
        final List<CompletableFuture<Void>> issued = new ArrayList<>();
        for (final String identity : identities)
        {
            issued.add(CompletableFuture.runAsync(() -> certs.issue(identity), ThreadPerTask.EXECUTOR));
        }
        issued.forEach(CompletableFuture::join);
        return certs;
    }

    private void issue(final String name)
    {
        final String store = name + ".p12";
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "EC", "-validity", "2",
            "-keystore", store);
        keytool("-certreq", "-alias", name, "-file", name + ".csr", "-keystore", store);
        keytool("-gencert", "-alias", "ca", "-infile", name + ".csr", "-outfile", name + ".crt", "-rfc",
            "-validity", "2", "-keystore", "ca.p12");
        keytool("-importcert", "-alias", "ca", "-file", "ca.pem", "-noprompt", "-keystore", store);
        keytool("-importcert", "-alias", name, "-file", name + ".crt", "-keystore", store);
    }

    /**
     * A self-signed identity that no node trusts (its own store doubles as its trust store).
     *
     * @param name common name.
     * @return its TLS settings.
     */
    TlsConfig untrusted(final String name)
    {
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "EC", "-validity", "2",
            "-keystore", "untrusted-" + name + ".p12");
        final Path store = dir.resolve("untrusted-" + name + ".p12");
        return TlsConfig.fromKeyStores(store, PASSWORD, store, PASSWORD);
    }

    /**
     * @param name an identity issued by the CA.
     * @return its TLS settings, trusting the CA.
     */
    TlsConfig tls(final String name)
    {
        return TlsConfig.fromKeyStores(dir.resolve(name + ".p12"), PASSWORD, dir.resolve("trust.p12"), PASSWORD);
    }

    private void keytool(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // Fast start-up; without the non-blocking seed source keytool can wait seconds for entropy.
        command.addAll(List.of("-J-Djava.security.egd=file:/dev/./urandom", "-J-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
        try
        {
            Files.createDirectories(dir);
            final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
