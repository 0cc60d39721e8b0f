package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
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
 * A server that ran, and whose configuration file was lost afterwards (deleted by hand or by a tool, a disk fault),
 * holds a term, a vote and entries. The restart's error must not say, as it does for a creation a crash cut short,
 * that it holds nothing and is to be deleted and started again as new: a member started again empty under the same
 * id may vote twice in a term it already voted in, and its entries are lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LostConfigurationTest
{
    private static final ServerId SERVER = new ServerId("kv", "n1");

    @Test
    void aServerThatRanAndLostItsConfigurationIsNotCalledEmpty(@TempDir final Path dir) throws IOException
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem node = system(network, dir))
            {
                node.startCluster("kv", new KvMachine(), List.of(SERVER));
                node.processCommand(SERVER, new KvMachine.Put("a", "1"));
                node.stopServer(SERVER);
            }
            try (Stream<Path> files = Files.walk(dir))
            {
                final List<Path> configs = files.filter(p -> p.getFileName().toString()
                    .equals(ServerDirectory.CONFIG_FILE)).toList();
                assertThat(configs).hasSize(1);
                Files.delete(configs.get(0));
            }
            try (RaSystem node = system(network, dir))
            {
                final Throwable refused = catchThrowable(() -> node.restartServer(SERVER));
                assertThat(refused).as("the restart of a server whose configuration is lost").isNotNull();
                assertThat(refused).hasMessageContaining(SERVER.toString()).hasMessageContaining("no stored " +
                    "configuration").hasMessageNotContaining("holds nothing").hasMessageContaining("term");
            }
        }
    }

    private static RaSystem system(final InJvmNetwork network, final Path dir)
    {
        return InJvmCluster.testDefaults(RaSystem.builder().nodeId("n1").transport(network.newTransport())
            .storage(FileStorage.builder().directory(dir).build())).build();
    }
}
