package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directories a storage makes are its owner's only (as etcd makes its data directory): the log holds every
 * command replicated, which with the default umask any user of the machine could read.
 */
class DataDirectoryPermissionsTest
{
    @TempDir
    Path tmp;

    @Test
    void everyDirectoryTheStorageMakesIsTheOwnersOnly() throws Exception
    {
        Assumptions.assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"),
            "a file system with POSIX permissions");
        final Path dir = tmp.resolve("data");
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final ServerStorage server = storage.open(new ServerId("a", "n1"), new RecordingListener());
            server.meta().storeServerConfig("cluster a".getBytes(StandardCharsets.UTF_8));
            server.meta().storeTermAndVote(1, null);
        }
        final List<Path> directories;
        try (Stream<Path> walk = Files.walk(dir))
        {
            directories = walk.filter(Files::isDirectory).collect(Collectors.toList());
        }
        assertThat(directories).as("directories made").hasSizeGreaterThan(3);
        for (final Path made : directories)
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made)))
                .as("permissions of " + tmp.relativize(made)).isEqualTo("rwx------");
        }
    }
}
