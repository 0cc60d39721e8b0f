package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandFailedException;
import dev.ra.InvalidCommandException;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad commands and replies across JVMs, from a client node hosting no member: a throwing apply fails that command
 * only, a reply the codec cannot encode fails that caller at once, a 64 MiB command is refused at the caller at once,
 * and entries close to the command size limit replicate to a member that was down (AppendEntries bounded in bytes,
 * never above the frame limit).
 */
class BadCommandMultiProcessTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void badCommandsAndRepliesFailTheirCallerOnlyAndLargeEntriesReplicate()
    {
        try (Deployment d = new Deployment(3, "badcmd", List.of()))
        {
            final RaSystem client = d.client;
            final List<ServerId> throwing = d.members("t");
            client.startCluster("t", "throwing", throwing);
            final ServerId member = throwing.get(1);
            assertThat((Long)client.processCommand(member, "inc", WAIT).reply()).isEqualTo(1L);
            assertThatThrownBy(() -> client.processCommand(member, "boom", WAIT))
                .isInstanceOfSatisfying(CommandFailedException.class, failed ->
                {
                    assertThat(failed.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(failed.getMessage()).isEqualTo("boom at count 1");
                });
            // Not a timeout: the caller hears at once, and the leader keeps leading.
            final ServerId leaderBefore = d.awaitLeader("t", List.of());
            assertThatThrownBy(() -> client.processCommand(member, "opaque", Duration.ofSeconds(120)))
                .isInstanceOf(RaException.class).isNotInstanceOf(RaTimeoutException.class)
                .hasMessageContaining("cannot be encoded");
            assertThat(d.awaitLeader("t", List.of())).isEqualTo(leaderBefore);
            // A reply above the frame limit would be dropped by the transport: the caller is told instead.
            assertThatThrownBy(() -> client.processCommand(member, "big-reply", Duration.ofSeconds(120)))
                .isInstanceOf(RaException.class).isNotInstanceOf(RaTimeoutException.class)
                .hasMessageContaining("exceeds the transport's message limit");
            assertThatThrownBy(() -> client.processCommand(member, 42L, WAIT))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining("'t'")
                .hasMessageContaining(String.class.getName());
            assertThat((Long)client.processCommand(member, "inc", WAIT).reply()).isEqualTo(4L);

            final List<ServerId> kv = d.members("kv");
            client.startCluster("kv", "kv", kv);
            client.processCommand(kv.get(0), new KvMachine.Put("small", "1"), WAIT);
            // 64 MiB: refused on the client at once, naming the cluster and the limit (half the 16 MiB frame).
            assertThatThrownBy(() -> client.processCommand(kv.get(0), new KvMachine.Put("huge",
                "x".repeat(64 * 1024 * 1024)), Duration.ofSeconds(120)))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining("'kv'")
                .hasMessageContaining(String.valueOf(8 * 1024 * 1024));

            // Three 6 MiB entries (18 MiB together, above the 16 MiB frame) reach a member that was down.
            final ServerId leader = d.awaitLeader("kv", List.of());
            final ServerId down = kv.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            d.node(down.node()).kill();
            final String big = "y".repeat(6 * 1024 * 1024);
            for (int i = 0; i < 3; i++)
            {
                client.processCommand(leader, new KvMachine.Put("big" + i, big), WAIT);
            }
            d.node(down.node()).start();
            d.awaitClientConnected();
            InJvmCluster.await(() -> Integer.valueOf(4).equals(client.namedQuery(down, "size", null, false)
                .result()), WAIT, down + " to catch up with the large entries");
        }
    }
}
