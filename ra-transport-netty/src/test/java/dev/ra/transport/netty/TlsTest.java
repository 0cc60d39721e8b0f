package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between nodes: a cluster commits over TLS, and a node refuses a client without a trusted certificate, a
 * peer claiming an unknown node id, a trusted certificate claiming another node's id, and plaintext.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTest
{
    private static final Duration LOADED_MACHINE_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    static Path certDir;

    private static TestCertificates certs;
    private static LoopbackTransports transports;
    private static InJvmCluster cluster;
    private static List<ServerId> members;

    @BeforeAll
    static void startTlsCluster()
    {
        certs = TestCertificates.create(certDir, "n1", "n2", "n3", "client", "rogue");
        // TLS handshakes of cold JVMs on a loaded machine can take seconds: wait for them, and for the calls that
        // start the cluster, far longer than on an idle machine (the in-JVM test defaults are tuned for no network).
        transports = new LoopbackTransports(3, (node, b) -> b.allowNode("client").tls(certs.tls(node))
            .handshakeTimeout(LOADED_MACHINE_TIMEOUT));
        cluster = new InJvmCluster(3, transports, b -> b.defaultTimeout(LOADED_MACHINE_TIMEOUT));
        transports.awaitConnected(Duration.ofSeconds(30));
        members = cluster.startCluster("kv", new KvMachine());
    }

    @AfterAll
    static void stop()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void aClusterCommitsOverMutualTls()
    {
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
        cluster.system(leader).processCommand(leader, new KvMachine.Put("secure", "yes"));

        for (final ServerId member : members)
        {
            assertThat(cluster.system(member).<Map<String, String>, String>consistentQuery(member,
                s -> s.get("secure")).result()).isEqualTo("yes");
        }
    }

    @Test
    void aClientWithATrustedCertificateForItsIdConnects()
    {
        try (NettyTransport client = dialer("client", certs.tls("client")))
        {
            InJvmCluster.await(() -> client.isReachable("n1"), Duration.ofSeconds(20), "a trusted client");
        }
    }

    @Test
    void aClientWithoutATrustedCertificateIsRefused()
    {
        assertRefused(() -> dialer("client", certs.untrusted("client")), "client");
    }

    @Test
    void aPeerClaimingAnUnknownNodeIdIsRefused()
    {
        assertRefused(() -> dialer("rogue", certs.tls("rogue")), "rogue");
    }

    @Test
    void aTrustedCertificateCannotClaimAnotherNodesId()
    {
        // The rogue's certificate is valid, but names "rogue", not the allowed "client" it claims to be.
        assertRefused(() -> dialer("client", certs.tls("rogue")), "client");
    }

    @Test
    void plaintextIsRefusedByATlsNode() throws Exception
    {
        final NettyTransport n1 = transports.transport("n1");
        final long refusedBefore = n1.stats().connectionsRefused();
        try (Socket socket = new Socket())
        {
            socket.connect(transports.addresses().get("n1"), 2000);
            socket.setSoTimeout(10_000);
            final byte[] hello = {0, 0, 0, 4, 1, 1, 0, 0};
            socket.getOutputStream().write(hello);
            final InputStream in = socket.getInputStream();
            int read = 0;
            while (read >= 0 && read < 1_000_000)
            {
                read = in.read(new byte[512]) < 0 ? -1 : read + 1;
            }
        }
        InJvmCluster.await(() -> n1.stats().connectionsRefused() > refusedBefore, Duration.ofSeconds(10),
            "the plaintext connection to be refused");
    }

    private static NettyTransport dialer(final String node, final TlsConfig tls)
    {
        final NettyTransport transport = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
            .peer("n1", transports.addresses().get("n1")).tls(tls).handshakeTimeout(LOADED_MACHINE_TIMEOUT)
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build());
        transport.start(node, new TransportListener()
        {
            @Override
            public void onMessage(final String fromNode, final NodeMessage message)
            {
            }

            @Override
            public void onNodeUp(final String n)
            {
            }

            @Override
            public void onNodeDown(final String n)
            {
            }
        });
        return transport;
    }

    private static void assertRefused(final Supplier<NettyTransport> dialer, final String claimed)
    {
        final NettyTransport n1 = transports.transport("n1");
        final long refusedBefore = n1.stats().connectionsRefused();
        try (NettyTransport intruder = dialer.get())
        {
            // Wait for several refusals (it keeps retrying), then check it never got through.
            InJvmCluster.await(() -> n1.stats().connectionsRefused() >= refusedBefore + 2 ||
                intruder.stats().connectionsRefused() >= 2, Duration.ofSeconds(20), claimed + " to be refused");
            assertThat(intruder.isReachable("n1")).isFalse();
            assertThat(n1.isReachable(claimed)).isFalse();
        }
    }

    /**
     * A key store or trust store that cannot be read (a wrong password, a missing file) is named, with which of the two
     * it is: the error used to say only "cannot read the TLS key or trust material".
     */
    @Test
    void aStoreThatCannotBeReadIsNamedWithWhichStoreItIs()
    {
        final Path keyStore = certDir.resolve("n1.p12");
        final Path trustStore = certDir.resolve("trust.p12");
        final char[] wrong = "wrong".toCharArray();

        assertThatThrownBy(() -> new TlsContexts(TlsConfig.fromKeyStores(keyStore, TestCertificates.PASSWORD,
            trustStore, wrong)))
            .hasMessageContaining("trust store " + trustStore);
        assertThatThrownBy(() -> new TlsContexts(TlsConfig.fromKeyStores(keyStore, wrong, trustStore,
            TestCertificates.PASSWORD)))
            .hasMessageContaining("key store " + keyStore);
        final Path missing = certDir.resolve("missing.p12");
        assertThatThrownBy(() -> new TlsContexts(TlsConfig.fromKeyStores(missing, TestCertificates.PASSWORD,
            trustStore, TestCertificates.PASSWORD)))
            .hasMessageContaining("key store " + missing);
    }

    /**
     * A key store holding no private key (the trust store given for both, a copy-paste slip in the settings) made a
     * context without a key: the node started, said ready, and every handshake with every peer failed, each peer
     * logging only that the handshake failed. The admin endpoint refuses such a store; so does the transport.
     */
    @Test
    void aKeyStoreWithoutAPrivateKeyIsRefusedNamingIt()
    {
        final Path trustStore = certDir.resolve("trust.p12");

        assertThatThrownBy(() -> new TlsContexts(TlsConfig.fromKeyStores(trustStore, TestCertificates.PASSWORD,
            trustStore, TestCertificates.PASSWORD)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("key store " + trustStore).hasMessageContaining("no private key");
    }

    /**
     * A PEM file that does not exist was reported by Netty as one that "does not contain valid certificates" (or
     * keys): an operator looked for what was wrong in a file that was not there.
     */
    @Test
    void aMissingPemFileIsNamedAsMissing()
    {
        final Path missing = certDir.resolve("missing.crt");

        assertThatThrownBy(() -> new TlsContexts(TlsConfig.fromPemFiles(missing, certDir.resolve("missing.key"),
            certDir.resolve("ca.pem"))))
            .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
    }
}
