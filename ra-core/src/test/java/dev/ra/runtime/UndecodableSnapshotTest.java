package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A follower whose build's state codec cannot decode the snapshot its leader sends (a codec changed without a new
 * machine version, say): installing it threw on the server's loop, which stopped the server, and it failed again at
 * each restart. It now behaves as a member whose build lacks the machine version in force (docs/UPGRADES.md): it
 * stops applying, keeps its log, says why in its overview and logs, and runs on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UndecodableSnapshotTest
{
    private final InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
        builder.minSnapshotInterval(10).registerMachine("kv-snap", () ->
            "n3".equals(node) ? new UndecodableState() : new KvMachine(20)));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aFollowerThatCannotDecodeTheLeadersSnapshotStopsApplyingAndRunsOn()
    {
        final List<ServerId> members = cluster.serverIds("kv");
        final ServerId laggard = new ServerId("kv", "n3");
        final RaSystem n1 = cluster.system("n1");
        n1.startCluster("kv", "kv-snap", members);
        cluster.system(laggard).stopServer(laggard);
        final ServerId leader = n1.leader(members.get(0));
        final RaSystem leaderNode = cluster.system(leader);
        for (int i = 0; i < 200 && leaderNode.overview(leader).snapshotIndex() < 100; i++)
        {
            leaderNode.processCommand(leader, new KvMachine.Put("k" + i, "v" + i));
        }
        assertThat(leaderNode.overview(leader).snapshotIndex()).isGreaterThanOrEqualTo(100);

        cluster.system(laggard).restartServer(laggard);

        final String error = InJvmCluster.await(() ->
            cluster.system(laggard).overview(laggard).machineVersion().error(), Duration.ofSeconds(30),
            "the laggard to report the snapshot it cannot decode");
        assertThat(error).contains("kv@n3", "does not decode");
        assertThat(cluster.system(laggard).isRunning(laggard)).isTrue();
        assertThat(leaderNode.processCommand(leader, new KvMachine.Put("after", "1")).leader()).isEqualTo(leader);

        // Restarted with the same build: the same again, not a stop.
        cluster.system(laggard).stopServer(laggard);
        cluster.system(laggard).restartServer(laggard);
        InJvmCluster.await(() -> cluster.system(laggard).overview(laggard).machineVersion().error(),
            Duration.ofSeconds(30), "the restarted laggard to report the snapshot it cannot decode");
        assertThat(cluster.system(laggard).isRunning(laggard)).isTrue();
    }

    /**
     * The kv machine of another build, whose state codec reads no snapshot.
     */
    public static final class UndecodableState implements StateMachine<Object, Map<String, String>>
    {
        private final KvMachine kv = new KvMachine(20);

        @Override
        public Map<String, String> init(final InitArgs args)
        {
            return kv.init(args);
        }

        @Override
        public ApplyResult<Map<String, String>> apply(final CommandMeta meta, final Object command,
            final Map<String, String> state)
        {
            return kv.apply(meta, command, state);
        }

        @Override
        public Codec<Map<String, String>> stateCodec()
        {
            return new Codec<>()
            {
                @Override
                public void encode(final Map<String, String> value, final BufferWriter out)
                {
                    Codecs.generic().encode(value, out);
                }

                @Override
                public Map<String, String> decode(final BufferReader in)
                {
                    throw new CodecException("this build reads no such state");
                }
            };
        }
    }
}
