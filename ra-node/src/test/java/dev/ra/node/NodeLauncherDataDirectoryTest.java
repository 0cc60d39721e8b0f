package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node makes of its {@code data.dir} at start. A directory that holds something else than Ra's data (a home
 * directory, another program's data, a path mistyped to a neighbour) was used silently: the node wrote its files
 * among the others and started with no servers. It is refused, naming the directory and left as it was; a missing
 * directory is created and an empty one used (a new node), and a directory a node wrote is used again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeLauncherDataDirectoryTest
{
    @TempDir
    Path dir;

    private static NodeLauncher start(final Path dataDir)
    {
        return NodeLauncher.start(NodeConfig.fromArgs("node.id=n1", "listen=127.0.0.1:" + LoopbackPorts.freePort(),
            "data.dir=" + dataDir, "machines=counter=" + CounterMachine.class.getName()));
    }

    private static List<String> names(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNonEmptyDirectoryHoldingNoRaDataIsRefusedNamingItAndLeftUntouched() throws IOException
    {
        final Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("photos"));
        Files.writeString(home.resolve("notes.txt"), "not Ra's");
        final List<String> before = names(home);

        assertThatThrownBy(() -> start(home)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("data.dir " + home).hasMessageContaining("holds no Ra data")
            .hasMessageContaining("notes.txt");

        assertThat(names(home)).as("the directory as it was").isEqualTo(before);
    }

    @Test
    void aDataDirectoryThatIsAFileIsRefusedNamingIt() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("data"), "a file");

        assertThatThrownBy(() -> start(file)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("data.dir " + file).hasMessageContaining("not a directory");
    }

    @Test
    void aMissingDirectoryIsCreatedAndTheNodeStartsOnItAgainWithItsServers()
    {
        final Path data = dir.resolve("var").resolve("n1");
        final ServerId member = new ServerId("bank", "n1");
        try (NodeLauncher node = start(data))
        {
            node.system().startCluster("bank", "counter", List.of(member));
            node.system().processCommand(member, 1L);
        }
        assertThat(data).isDirectory();
        try (NodeLauncher node = start(data))
        {
            assertThat(node.system().runningServers()).containsExactly(member);
        }
    }

    @Test
    void aDirectoryWhoseFirstStartStoppedAfterTakingItsLockIsUsed() throws IOException
    {
        // A first start takes the lock before it creates anything else: one stopped there left only that.
        final Path data = Files.createDirectories(dir.resolve("n1"));
        Files.createFile(data.resolve("lock"));
        try (NodeLauncher node = start(data))
        {
            assertThat(node.system().runningServers()).isEmpty();
        }
    }

    @Test
    void theRootOfADiskOfItsOwnHoldingOnlyLostAndFoundIsUsed() throws IOException
    {
        final Path data = Files.createDirectories(dir.resolve("mnt").resolve("lost+found")).getParent();
        try (NodeLauncher node = start(data))
        {
            assertThat(node.system().runningServers()).isEmpty();
        }
        assertThat(names(data)).contains("lost+found", "wal", "servers");
    }

    @Test
    void anotherProgramsDirectoryHoldingALockFileOfItsOwnIsRefused() throws IOException
    {
        // As /var/lib/dpkg: a file named lock among the program's own, which is not Ra's layout.
        final Path other = Files.createDirectories(dir.resolve("dpkg"));
        Files.createFile(other.resolve("lock"));
        Files.writeString(other.resolve("status"), "Package: ra");
        Files.createDirectories(other.resolve("info"));
        final List<String> before = names(other);

        assertThatThrownBy(() -> start(other)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("data.dir " + other).hasMessageContaining("holds no Ra data")
            .hasMessageContaining("status");

        assertThat(names(other)).as("the directory as it was").isEqualTo(before);
    }

    @Test
    void aDirectoryHoldingFilesNamedAsRaDirectoriesIsRefused() throws IOException
    {
        // A list of servers and a write-ahead log of another program, as files: not Ra's directories.
        final Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("servers"), "a.example.com\n");
        Files.writeString(other.resolve("wal"), "not Ra's");
        final List<String> before = names(other);

        assertThatThrownBy(() -> start(other)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("data.dir " + other).hasMessageContaining("holds no Ra data");

        assertThat(names(other)).as("the directory as it was").isEqualTo(before);
    }

    @Test
    void aDirectoryRaWroteIsUsedWhateverElseItHolds() throws IOException
    {
        final Path data = dir.resolve("n1");
        final ServerId member = new ServerId("bank", "n1");
        try (NodeLauncher node = start(data))
        {
            node.system().startCluster("bank", "counter", List.of(member));
            node.system().processCommand(member, 1L);
        }
        // An operator's note, and an entry a later release would add (a rollback leaves it).
        Files.writeString(data.resolve("README"), "node n1");
        Files.createDirectories(data.resolve("added-by-a-later-release"));
        try (NodeLauncher node = start(data))
        {
            assertThat(node.system().runningServers()).containsExactly(member);
        }
    }

    @Test
    void aDataDirectoryThatIsALinkToNothingIsRefusedNamingItAndWhereItLeads() throws IOException
    {
        // A link to a volume that is not mounted: the node cannot create it, and must say why.
        final Path target = dir.resolve("volume").resolve("n1");
        final Path link = Files.createSymbolicLink(dir.resolve("n1"), target);

        assertThatThrownBy(() -> start(link)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("data.dir " + link).hasMessageContaining(target.toString());

        assertThat(Files.exists(target.getParent())).as("nothing made where it leads").isFalse();
    }
}
