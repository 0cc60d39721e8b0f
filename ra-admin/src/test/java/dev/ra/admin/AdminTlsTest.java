package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin endpoint over HTTPS with the node's key store (a self-signed certificate made with the JDK's keytool).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminTlsTest
{
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    @Test
    void servesHttpsWithTheNodesKeyStoreAndAToken() throws Exception
    {
        final Path store = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-dname", "CN=n1", "-ext", "san=ip:127.0.0.1", "-keyalg", "EC",
            "-validity", "2", "-keystore", store.toString());
        try (InJvmCluster cluster = new InJvmCluster(1);
            AdminServer admin = AdminServer.builder().system(cluster.system("n1"))
                .tls(AdminTls.fromKeyStore(store, PASSWORD)).token("t0ken").build())
        {
            admin.start();
            assertThat(admin.url()).startsWith("https://127.0.0.1:");
            final HttpClient client = HttpClient.newBuilder().sslContext(trusting(store))
                .connectTimeout(Duration.ofSeconds(5)).build();

            final HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(admin.url() + "health"))
                .header("Authorization", "Bearer t0ken").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"ready\":true}");
        }
    }

    /**
     * Nodes whose endpoints serve HTTPS with the deployment's own certificates ask each other over HTTPS: the peers'
     * client must trust what the node's trust store trusts. It trusted the JDK's certificate authorities only, so
     * every request to a peer failed and the members of other nodes were never shown with their numbers.
     */
    @Test
    @SuppressWarnings("unchecked")
    void peersServingHttpsAreTrustedWithTheNodesTrustStore() throws Exception
    {
        final Path store = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-dname", "CN=node", "-ext", "san=ip:127.0.0.1", "-keyalg", "EC",
            "-validity", "2", "-keystore", store.toString());
        final Map<String, String> tls = Map.of("admin.tls", "true", "admin.token", "t0ken", "tls.keystore",
            store.toString(), "tls.keystore.password", "changeit", "tls.truststore", store.toString(),
            "tls.truststore.password", "changeit");
        try (InJvmCluster cluster = new InJvmCluster(2);
            AdminServer n2 = AdminServer.builder().system(cluster.system("n2")).settings(tls).build())
        {
            cluster.awaitLeader(cluster.startCluster("kv", new KvMachine()), Duration.ofSeconds(20));
            n2.start();
            final Map<String, String> withPeer = new HashMap<>(tls);
            withPeer.put("admin.peers", "n2=" + n2.url());
            try (AdminServer n1 = AdminServer.builder().system(cluster.system("n1")).settings(withPeer).build())
            {
                n1.start();
                final HttpClient client = HttpClient.newBuilder().sslContext(trusting(store))
                    .connectTimeout(Duration.ofSeconds(5)).build();

                InJvmCluster.await(() ->
                {
                    final Map<String, Object> status = (Map<String, Object>)JsonReader.read(get(client,
                        n1.url() + "status"));
                    final Map<String, Object> kv = ((List<Map<String, Object>>)status.get("clusters")).get(0);
                    return ((List<Map<String, Object>>)kv.get("members")).stream()
                        .anyMatch(m -> "kv@n2".equals(m.get("id")) && "peer".equals(m.get("source"))) ? kv : null;
                }, Duration.ofSeconds(20), "n1's status to show kv@n2 as its endpoint reported it");
            }
        }
    }

    /**
     * A properties file keeps the blanks after a value: NodeConfig strips them from the transport's TLS settings, but
     * the admin endpoint read the same keys unstripped, so "tls.keystore=/etc/ra/node.p12 " started the transport and
     * failed the endpoint on a file that does not exist.
     */
    @Test
    void blanksAroundTheTlsSettingsAreStrippedAsTheTransportDoes() throws Exception
    {
        final Path store = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-dname", "CN=n1", "-ext", "san=ip:127.0.0.1", "-keyalg", "EC",
            "-validity", "2", "-keystore", store.toString());
        final Map<String, String> keyStore = Map.of("admin.tls", "true", "tls.keystore", " " + store + " ",
            "tls.keystore.password", "changeit ", "tls.truststore", store + "\t", "tls.truststore.password",
            " changeit");
        try (InJvmCluster cluster = new InJvmCluster(1);
            AdminServer admin = AdminServer.builder().system(cluster.system("n1")).settings(keyStore).build())
        {
            admin.start();
            assertThat(admin.url()).startsWith("https://127.0.0.1:");
        }
    }

    @Test
    void badKeyMaterialIsAClearError() throws Exception
    {
        final Path junk = Files.writeString(dir.resolve("junk.p12"), "not a key store");
        assertThatThrownBy(() -> AdminTls.fromKeyStore(junk, PASSWORD)).hasMessageContaining("junk.p12");
        assertThatThrownBy(() -> AdminTls.fromPemFiles(junk, junk)).hasMessageContaining("junk.p12");
    }

    /**
     * A wrong password was reported as "cannot read the admin endpoint's key store", the reason left to the cause: an
     * operator looking at a readable file was told it could not be read. The reason is said now.
     */
    @Test
    void aWrongKeyStorePasswordIsSaid() throws Exception
    {
        final Path store = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-dname", "CN=n1", "-keyalg", "EC", "-validity", "2", "-keystore",
            store.toString());

        assertThatThrownBy(() -> AdminTls.fromKeyStore(store, "wrong".toCharArray()))
            .hasMessageContaining("node.p12").hasMessageContaining("password");
    }

    /**
     * A key store without a private key (the trust store given as tls.keystore, a common slip) made a context that
     * every client's handshake then failed against, logged at debug level only: the endpoint seemed to start and
     * answered no one. It is refused at once, naming the file.
     */
    @Test
    void aKeyStoreWithoutAPrivateKeyIsRefusedNamingTheFile() throws Exception
    {
        final Path store = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-dname", "CN=n1", "-keyalg", "EC", "-validity", "2", "-keystore",
            store.toString());
        final Path certificate = dir.resolve("node.pem");
        keytool("-exportcert", "-rfc", "-alias", "node", "-keystore", store.toString(), "-file",
            certificate.toString());
        final Path trustOnly = dir.resolve("trust.p12");
        keytool("-importcert", "-alias", "ca", "-file", certificate.toString(), "-keystore", trustOnly.toString());

        assertThatThrownBy(() -> AdminTls.fromKeyStore(trustOnly, PASSWORD))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trust.p12")
            .hasMessageContaining("no private key");
    }

    /**
     * A PEM file that does not exist (a typo in tls.cert or tls.key) was reported as one "that does not contain valid
     * certificates", with both paths named: the operator looked for what was wrong inside a file that is not there.
     * The missing file is named as missing.
     */
    @Test
    void aMissingPemFileIsNamedAsMissing() throws Exception
    {
        final Path store = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-dname", "CN=n1", "-keyalg", "EC", "-validity", "2", "-keystore",
            store.toString());
        final Path chain = dir.resolve("chain.pem");
        keytool("-exportcert", "-rfc", "-alias", "node", "-keystore", store.toString(), "-file", chain.toString());
        final Path missingKey = dir.resolve("nokey.pem");

        assertThatThrownBy(() -> AdminTls.fromPemFiles(chain, missingKey)).hasMessageContaining("nokey.pem")
            .hasMessageContaining("no such file").hasMessageNotContaining("chain.pem");
        assertThatThrownBy(() -> AdminTls.peerTrustFromPem(missingKey)).hasMessageContaining("nokey.pem")
            .hasMessageContaining("no such file");
    }

    private static String get(final HttpClient client, final String url)
    {
        try
        {
            return client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer t0ken")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static SSLContext trusting(final Path store) throws Exception
    {
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store))
        {
            keys.load(in, PASSWORD);
        }
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void keytool(final String... args) throws IOException, InterruptedException
    {
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD), "-noprompt"));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();
    }
}
