package dev.ra.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool pointed at the directory of a node that is running: it reads without the storage's lock and writes
 * nothing, so the node keeps writing while and after it runs, and its storage opens again once closed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RunningNodeTest
{
    @TempDir
    Path dir;

    private static int run(final StringWriter out, final String... args)
    {
        return RaDataTool.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args);
    }

    private RaSystem start(final InJvmNetwork network, final FileStorage storage)
    {
        return InJvmCluster.testDefaults(RaSystem.builder().nodeId("n1").transport(network.newTransport())
            .storage(storage)).registerMachine("kv", KvMachine::new).build();
    }

    @Test
    void aRunningNodeIsNotDisturbedAndItsDataReadsClean()
    {
        final ServerId member = new ServerId("kv", "n1");
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build();
            final RaSystem system = start(network, storage);
            try
            {
                system.startCluster("kv", "kv", List.of(member));
                for (int i = 0; i < 50; i++)
                {
                    system.processCommand(member, new KvMachine.Put("k" + i, "v" + i));
                }
                final StringWriter inspect = new StringWriter();
                assertThat(run(inspect, "inspect", dir.toString())).isZero();
                assertThat(inspect.toString()).contains("server kv@n1").doesNotContain("DAMAGED");
                final StringWriter verify = new StringWriter();
                assertThat(run(verify, "verify", dir.toString())).as(verify.toString()).isZero();
                assertThat(run(new StringWriter(), "dump", dir.toString(), "--server", "kv@n1")).isZero();
                // The node goes on writing after the tool ran.
                for (int i = 50; i < 100; i++)
                {
                    system.processCommand(member, new KvMachine.Put("k" + i, "v" + i));
                }
            }
            finally
            {
                system.close();
                storage.close();
            }
            // Its storage opens again: the tool left no lock behind and changed nothing recovery would refuse.
            final FileStorage reopened = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build();
            final RaSystem restarted = start(network, reopened);
            try
            {
                restarted.restartServer(member);
                final Map<String, String> state = InJvmCluster.await(() ->
                {
                    final Map<String, String> s = restarted.<Map<String, String>, Map<String, String>>localQuery(member,
                        x -> x).result();
                    return s.size() == 100 ? s : null;
                }, java.time.Duration.ofSeconds(30), "the restarted member to recover 100 keys");
                assertThat(state).containsEntry("k99", "v99");
            }
            finally
            {
                restarted.close();
                reopened.close();
            }
            final StringWriter verify = new StringWriter();
            assertThat(run(verify, "verify", dir.toString())).as(verify.toString()).isZero();
        }
    }
}
