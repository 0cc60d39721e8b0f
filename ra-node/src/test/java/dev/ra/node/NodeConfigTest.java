package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.log.FileStorage;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Storage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's settings: a file overridden by arguments, defaults, and a bad setting refused at once naming its key: a
 * malformed value, a switch that is not true or false, a peer named twice, a key nobody reads.
 */
class NodeConfigTest
{
    private static final String ID = "node.id=n1";
    private static final String LISTEN = "listen=127.0.0.1:7001";

    @TempDir
    Path dir;

    @Test
    void argumentsOverrideTheFileAndUnsetKeysKeepTheirDefaults() throws IOException
    {
        final Path file = dir.resolve("n1.properties");
        Files.writeString(file, "node.id=n1\nlisten=127.0.0.1:7001\ntick.ms=50\npeers=n2=127.0.0.1:7002\n");

        final NodeConfig config = NodeConfig.fromArgs("--config", file.toString(), "tick.ms=75", "event.loops=1");

        assertThat(config.nodeId()).isEqualTo("n1");
        assertThat(config.tick()).isEqualTo(Duration.ofMillis(75));
        assertThat(config.peers()).isEqualTo(Map.of("n2", new InetSocketAddress("127.0.0.1", 7002)));
        assertThat(config.electionTimeoutMin()).isEqualTo(Duration.ofMillis(300));
        assertThat(config.electionTimeoutMax()).isEqualTo(Duration.ofMillis(600));
        assertThat(config.clusterId()).isEqualTo("ra");
        assertThat(config.fsync()).isTrue();
        assertThat(config.stdinControl()).isFalse();
        assertThat(config.tuning()).isEqualTo(Map.of("event.loops", "1"));
    }

    /**
     * A properties file keeps the spaces after a value (arguments are trimmed): data.dir with a trailing space was
     * another, empty directory, where the node started with none of its servers; cluster.id another deployment.
     */
    @Test
    void spacesAfterAValueInTheFileAreNotPartOfIt() throws IOException
    {
        final Path file = dir.resolve("n1.properties");
        Files.writeString(file, "node.id=n1 \nlisten=127.0.0.1:7001\t\ndata.dir=" + dir.resolve("data") + "  \n" +
            "cluster.id=prod \ntls.cert=/etc/ra/n1.pem \ntls.key=/etc/ra/n1.key\ntls.trust=/etc/ra/ca.pem\n");

        final NodeConfig config = NodeConfig.fromArgs("--config", file.toString());

        assertThat(config.nodeId()).isEqualTo("n1");
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(config.clusterId()).isEqualTo("prod");
    }

    /**
     * {@code --config=file}, as GNU-style tools take it, was refused as "unknown setting --config" though
     * {@code --config} is the documented option.
     */
    @Test
    void theFileMayBeGivenAsConfigEqualsFile() throws IOException
    {
        final Path file = dir.resolve("n1.properties");
        Files.writeString(file, "node.id=n1\nlisten=127.0.0.1:7001\n");

        assertThat(NodeConfig.fromArgs("--config=" + file).nodeId()).isEqualTo("n1");
    }

    /**
     * A key left blank ({@code data.dir=}, {@code tick.ms=}) keeps its default; cluster.id became the empty
     * deployment id instead of "ra", and the node was refused by every node that leaves it out.
     */
    @Test
    void aBlankClusterIdKeepsTheDefaultAsEveryOtherBlankKeyDoes()
    {
        assertThat(NodeConfig.fromArgs(ID, LISTEN, "cluster.id=", "tick.ms=", "data.dir=").clusterId())
            .isEqualTo(NodeConfig.fromArgs(ID, LISTEN).clusterId()).isEqualTo("ra");
    }

    /**
     * A properties file keeps the last of two lines with one key: data.dir given at the top and again at the bottom
     * of a long file, or peers split over two lines, lost the first unnoticed.
     */
    @Test
    void aKeyGivenTwiceInTheFileIsRefusedNamingItAndTheFile() throws IOException
    {
        final Path file = dir.resolve("n1.properties");
        Files.writeString(file, "node.id=n1\nlisten=127.0.0.1:7001\npeers=n2=127.0.0.1:7002\n" +
            "peers=n3=127.0.0.1:7003\n");

        assertThatThrownBy(() -> NodeConfig.fromArgs("--config", file.toString()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString())
            .hasMessageContaining("peers").hasMessageContaining("twice");
    }

    /**
     * A file saved by an editor that starts UTF-8 with a byte order mark was refused with "unknown setting node.id",
     * the mark being invisible in the message; one in another encoding with "MalformedInputException Input length = 1".
     */
    @Test
    void aFileWithAByteOrderMarkIsReadAndOneNotInUtf8IsRefusedSayingSo() throws IOException
    {
        final Path marked = dir.resolve("marked.properties");
        Files.writeString(marked, "\uFEFFnode.id=n1\r\nlisten=127.0.0.1:7001\r\n");
        assertThat(NodeConfig.fromArgs("--config", marked.toString()).nodeId()).isEqualTo("n1");

        final Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, "node.id=n1\nlisten=127.0.0.1:7001\ndata.dir=/var/lib/caf\u00e9\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> NodeConfig.fromArgs("--config", latin1.toString()))
            .hasMessageContaining(latin1.toString()).hasMessageContaining("UTF-8");
    }

    @Test
    void aBadSettingIsRefusedNamingItsKey()
    {
        assertThatThrownBy(() -> NodeConfig.fromArgs("listen=127.0.0.1:7001"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("missing setting node.id");
        assertThatThrownBy(() -> NodeConfig.fromArgs("node.id=n1", "listen=7001"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> NodeConfig.fromArgs("node.id=n1", "listen=127.0.0.1:7001", "peers=n2"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peers");
        assertThatThrownBy(() -> NodeConfig.fromArgs("node.id=n1", "listen=127.0.0.1:7001", "event.loops=two"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event.loops");
        assertThatThrownBy(() -> NodeConfig.fromArgs("node.id=n1", "listen=127.0.0.1:7001",
            "caller.connections=maybe")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("caller.connections");
        assertThatThrownBy(() -> NodeConfig.fromArgs("node.id"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key=value");
    }

    /**
     * A number the system or the transport refuses (out of range) is refused when the settings are read, naming its
     * key: the builders' own messages name their fields ("ioThreads must be positive").
     */
    @Test
    void aNumberOutOfRangeIsRefusedNamingItsKeyAndValue()
    {
        for (final String setting : List.of("event.loops=0", "io.threads=0", "max.frame.bytes=10",
            "max.queued.messages=0", "connect.timeout.ms=0", "default.timeout.ms=0", "commit.notice.delay.ms=-1",
            "reconnect.backoff.ms=500-100", "tick.ms=0", "heartbeat.ms=0", "failure.timeout.ms=-1"))
        {
            assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, setting)).as(setting)
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(setting.split("=")[0] + ":")
                .hasMessageContaining("'" + setting.split("=")[1] + "'");
        }
    }

    /**
     * A peer at port 0 can never be dialled, and a duration beyond what a Duration holds in nanoseconds (about 292
     * years) ended the start with "long overflow", naming nothing.
     */
    @Test
    void aPeerAtPortZeroOrADurationTooLongToCountIsRefusedNamingItsKey()
    {
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "peers=n2=127.0.0.1:0"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("peers:")
            .hasMessageContaining("127.0.0.1:0");
        for (final String setting : List.of("election.timeout.ms=9223372036854775000-9223372036854775807",
            "tick.ms=9223372036854775807", "failure.timeout.ms=9223372036854775807",
            "connect.timeout.ms=9223372036854775807", "default.timeout.ms=9223372036854775807"))
        {
            assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, setting)).as(setting)
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(setting.split("=")[0] + ":");
        }
        assertThat(NodeConfig.fromArgs(ID, LISTEN, "listen=127.0.0.1:0").listen().getPort()).isZero();
    }

    @Test
    void aSwitchThatIsNotTrueOrFalseIsRefusedNamingItsKey()
    {
        // Read as a Java boolean, "yes" would be false: entries acknowledged without syncing the write-ahead log.
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "fsync=yes"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsync").hasMessageContaining("yes");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "control=stdn"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control");
        assertThat(NodeConfig.fromArgs(ID, LISTEN, "fsync=FALSE").fsync()).isFalse();
        assertThat(NodeConfig.fromArgs(ID, LISTEN, "fsync=true").fsync()).isTrue();
    }

    @Test
    void aBadAddressOrNumberIsRefusedNamingItsKeyAndValue()
    {
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, "listen=127.0.0.1:70O1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listen").hasMessageContaining("70O1");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, "listen=127.0.0.1:70001"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listen")
            .hasMessageContaining("70001");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "peers=n2=127.0.0.1:x"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peers")
            .hasMessageContaining("127.0.0.1:x");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "tick.ms=fast"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tick.ms").hasMessageContaining("fast");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "election.timeout.ms=300-6OO"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("election.timeout.ms")
            .hasMessageContaining("300-6OO");
        // Cut to an int, 2^32 + 1 would be 1.
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "event.loops=4294967297"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event.loops")
            .hasMessageContaining("4294967297");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "tls.keystore=/k.p12", "tls.truststore=/t.p12",
            "tls.cert=/n1.pem", "tls.key=/n1.key", "tls.trust=/ca.pem"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.keystore")
            .hasMessageContaining("tls.cert");
    }

    @Test
    void tlsSettingsWithoutTheKeyThatChoosesTheirSourceAreRefusedRatherThanRunningWithoutTls()
    {
        // Trust and key given, the certificate forgotten: the node must not come up talking plain TCP.
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "tls.key=/n1.key", "tls.trust=/ca.pem"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("missing setting tls.cert");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "tls.truststore=/t.p12",
            "tls.truststore.password=secret")).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("missing setting tls.keystore");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "tls.keystore=/k.p12", "tls.truststore=/t.p12",
            "tls.trust=/ca.pem")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.trust")
            .hasMessageContaining("not both");
        assertThat(NodeConfig.fromArgs(ID, LISTEN).tls()).isNull();
    }

    @Test
    void aPeerOrMachineNamedTwiceIsRefused()
    {
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "peers=n2=127.0.0.1:7002,n2=127.0.0.1:7003"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peers").hasMessageContaining("n2");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "machines=kv=a.Kv,kv=b.Kv"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("machines")
            .hasMessageContaining("kv");
    }

    @Test
    void anElectionTimeoutWhoseMaximumDoesNotExceedItsMinimumIsRefusedNamingTheKeyAndTheValueAsWritten()
    {
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "election.timeout.ms=600-300"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("election.timeout.ms")
            .hasMessageContaining("'600-300'");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "election.timeout.ms=0-300"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'0-300'");
    }

    @Test
    void anUnknownKeyIsRefusedNamingItWhileTheCallersOwnKeysAreAccepted()
    {
        // data.dri instead of data.dir: the node would run on in-memory storage and lose everything on exit.
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "data.dri=/var/lib/ra/n1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data.dri");
        // The plain launcher serves no admin endpoint: its keys would be silently unused.
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "admin.port=9090"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("admin.port");
        assertThatThrownBy(() -> NodeConfig.fromArgs(ID, LISTEN, "leader.grace.ms=1500"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leader.grace.ms");
        assertThat(NodeConfig.fromArgs(Set.of("leader.grace.ms"), ID, LISTEN, "leader.grace.ms=1500").nodeId())
            .isEqualTo("n1");
    }

    @Test
    void theStorageIsOnDiskWithADataDirectoryAndInMemoryWithout()
    {
        try (Storage onDisk = NodeConfig.fromArgs("node.id=n1", "listen=127.0.0.1:7001", "data.dir=" + dir,
            "wal.max.bytes=65536").openStorage())
        {
            assertThat(onDisk).isInstanceOf(FileStorage.class);
        }
        try (Storage inMemory = NodeConfig.fromArgs("node.id=n1", "listen=127.0.0.1:7001").openStorage())
        {
            assertThat(inMemory).isInstanceOf(InMemoryStorage.class);
        }
    }
}
