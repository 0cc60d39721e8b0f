package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.ClusterStartFailedException;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.UnknownServerException;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.group.GroupClient;
import dev.ra.examples.group.GroupMachine;
import dev.ra.examples.kv.KvClient;
import dev.ra.examples.kv.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call that every member refuses for good (this node does not know their cluster, saw it deleted, or saw its start
 * fail) fails at once
 * with that refusal, rather than asking again until the client's timeout, which these tests set far beyond their own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterClientRefusalTest
{
    private static final Duration LONGER_THAN_THE_TEST = Duration.ofMinutes(10);

    @Test
    void aCommandFromANodeThatDoesNotKnowTheClusterFailsAtOnceSayingSo()
    {
        try (ToolboxCluster world = ToolboxCluster.start("groups", GroupMachine::new))
        {
            final GroupClient groups = new GroupClient(
                new ClusterClient(world.app(), world.members(), LONGER_THAN_THE_TEST, Duration.ofSeconds(2)));

            assertThatThrownBy(() -> groups.join("g", world.spawn(message -> { }).ref()))
                .isInstanceOf(UnknownServerException.class)
                .hasMessageContaining("unknown to node " + ToolboxCluster.APP_NODE);
        }
    }

    @Test
    void aCommandToADeletedClusterFailsAtOnceNamingTheDeletion()
    {
        try (ToolboxCluster world = ToolboxCluster.start("kv", KvMachine::new))
        {
            final KvClient kv = new KvClient(
                new ClusterClient(world.system("n1"), world.members(), LONGER_THAN_THE_TEST, Duration.ofSeconds(2)));
            kv.put("k", "v");
            world.system("n1").deleteCluster(world.members().get(0));

            assertThatThrownBy(() -> kv.put("k", "w"))
                .isInstanceOf(UnknownServerException.class)
                .hasMessageContaining("deleted");
        }
    }

    @Test
    void aCommandToAClusterWhoseStartFailedHereFailsAtOnceNamingTheFailure()
    {
        try (ToolboxCluster world = ToolboxCluster.start("kv", KvMachine::new))
        {
            final List<ServerId> members = ToolboxCluster.RA_NODES.stream().map(n -> new ServerId("broken", n))
                .toList();
            assertThatThrownBy(() -> world.system("n1").startCluster("broken", new BrokenInit(), members))
                .hasMessageContaining("init is broken");
            final ClusterClient client = new ClusterClient(world.system("n1"), members, LONGER_THAN_THE_TEST,
                Duration.ofSeconds(2));

            assertThatThrownBy(() -> client.command(1L, true))
                .isInstanceOf(ClusterStartFailedException.class)
                .hasMessageContaining("its start failed");
        }
    }

    @Test
    void aConsistentQueryOnAClusterWhoseStartFailedHereFailsAtOnceNamingTheFailure()
    {
        try (ToolboxCluster world = ToolboxCluster.start("kv", KvMachine::new))
        {
            final List<ServerId> members = ToolboxCluster.RA_NODES.stream().map(n -> new ServerId("broken", n))
                .toList();
            assertThatThrownBy(() -> world.system("n1").startCluster("broken", new BrokenInit(), members))
                .hasMessageContaining("init is broken");
            final ClusterClient client = new ClusterClient(world.system("n1"), members, LONGER_THAN_THE_TEST,
                Duration.ofSeconds(2));

            assertThatThrownBy(() -> client.consistentQuery(state -> state))
                .isInstanceOf(ClusterStartFailedException.class)
                .hasMessageContaining("its start failed");
        }
    }

    @Test
    void aQueryOnALocalMemberThatIsRestartingWaitsForIt() throws InterruptedException
    {
        try (ToolboxCluster world = ToolboxCluster.start("kv", KvMachine::new))
        {
            final KvClient kv = new KvClient(world.system("n1"), world.members());
            kv.put("k", "v");
            world.system("n1").stopServer(world.members().get(0));
            final Thread restart = new Thread(() ->
            {
                try
                {
                    Thread.sleep(500);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                world.system("n1").restartServer(world.members().get(0));
            });
            restart.start();

            assertThat(kv.get("k")).contains("v");
            restart.join();
        }
    }

    /** A machine whose init throws: a cluster of it cannot start. */
    public static final class BrokenInit implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            throw new IllegalStateException("init is broken");
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long command, final Long state)
        {
            return ApplyResult.of(state, state);
        }

        @Override
        public Class<Long> commandType()
        {
            return Long.class;
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }
}
