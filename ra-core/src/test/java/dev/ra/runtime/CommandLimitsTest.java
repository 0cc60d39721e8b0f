package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.InvalidCommandException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Codecs;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.ThrowingMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands are checked before anything is appended, against the machine's declared command type and the node's
 * maximum command size: at the caller (at once, with an exception naming the cluster and the limit) and on the leader
 * for commands arriving from other nodes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLimitsTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int LIMIT = 64 * 1024;

    @Test
    void theCallerRefusesACommandOfTheWrongTypeOrAboveTheSizeLimitBeforeAnythingIsAppended()
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.maxCommandBytes(LIMIT)))
        {
            final List<ServerId> members = cluster.startCluster("t", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            node.processCommand(leader, "inc", WAIT);
            final long lastIndex = node.overview(leader).lastIndex();

            assertThatThrownBy(() -> node.processCommand(leader, 42L, WAIT))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("cluster 't'").hasMessageContaining(Long.class.getName())
                .hasMessageContaining(String.class.getName());
            assertThatThrownBy(() -> node.processCommand(leader, "x".repeat(LIMIT + 1), WAIT))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("cluster 't'").hasMessageContaining("maximum command size of " + LIMIT);
            assertThatThrownBy(() -> node.pipelineCommand(leader, "x".repeat(LIMIT + 1)))
                .isInstanceOf(InvalidCommandException.class);

            assertThat(node.overview(leader).lastIndex()).as("nothing appended").isEqualTo(lastIndex);
            assertThat((Long)node.processCommand(leader, "inc", WAIT).reply()).isEqualTo(2L);
        }
    }

    @Test
    void aSixtyFourMebibyteCommandOnTheLeadersNodeFailsAtOnceWithTheDefaultLimit()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            final long lastIndex = node.overview(leader).lastIndex();
            assertThatThrownBy(() -> node.processCommand(leader, new KvMachine.Put("huge",
                "x".repeat(64 * 1024 * 1024)), Duration.ofSeconds(60)))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("cluster 'kv'").hasMessageContaining(String.valueOf(8 * 1024 * 1024));
            assertThat(node.overview(leader).lastIndex()).as("nothing appended").isEqualTo(lastIndex);
            assertThat(node.processCommand(leader, new KvMachine.Put("k", "v"), WAIT).leader()).isEqualTo(leader);
        }
    }

    @Test
    void theLeaderRefusesCommandsFromAnotherNodeThatAreTooLargeOrOfTheWrongType() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.maxCommandBytes(LIMIT)))
        {
            final List<ServerId> members = cluster.startCluster("t", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final long lastIndex = cluster.system(leader).overview(leader).lastIndex();

            final NodeMessage.CallReply tooLarge = RogueCaller.call(cluster, leader, 7, Codecs.generic().toBytes(
                "x".repeat(LIMIT + 1)));
            assertThat(tooLarge.status()).isEqualTo(NodeMessage.CallStatus.FAILED);
            assertThat(tooLarge.error()).isEqualTo(CallError.INVALID_COMMAND);
            assertThat(tooLarge.message()).contains("cluster 't'").contains("maximum command size of " + LIMIT);

            final NodeMessage.CallReply wrongType = RogueCaller.call(cluster, leader, 7, Codecs.generic().toBytes(42L));
            assertThat(wrongType.error()).isEqualTo(CallError.INVALID_COMMAND);
            assertThat(wrongType.message()).contains("cluster 't'").contains(String.class.getName());

            assertThat(cluster.system(leader).overview(leader).lastIndex()).as("nothing appended")
                .isEqualTo(lastIndex);
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).isTrue();
            }
        }
    }
}
