package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * During a rolling upgrade the replies and messages of the version in force are what the older builds read
 * (docs/UPGRADES.md, "Machine versions"): a leader whose build is newer once encoded the reply and the messages of the
 * older version's logic with its build's newest codecs, which cannot encode them (the caller got an error, the
 * notification and the message were dropped) or write what a caller of the older build misreads.
 */
final class ReplyCodecUpgradeTest
{
    /** Version 1's reply and message: the total and who counted it. Version 0's are a bare {@link Long}. */
    record Total(long value, String by)
    {
    }

    /** The process the machine tells of each total, set by the test. */
    static volatile ProcessRef watcher;

    /** Version 0's reply and message codec: a {@link Long}. */
    static final Codec<Object> V0_REPLIES = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            out.writeLong((Long)value);
        }

        @Override
        public Object decode(final BufferReader in)
        {
            return in.readLong();
        }
    };

    /** Version 1's: a {@link Total}; it reads version 0's bytes as a Total counted by nobody. */
    static final Codec<Object> V1_REPLIES = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            final Total total = (Total)value;
            out.writeLong(total.value()).writeString(total.by());
        }

        @Override
        public Object decode(final BufferReader in)
        {
            final long value = in.readLong();
            return new Total(value, in.remaining() > 0 ? in.readString() : "");
        }
    };

    /** Version 0's logic: adds a {@link Long}, replies and tells the watcher the total. */
    static class CounterV0 implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            final long total = state + (Long)command;
            return result(total, total);
        }

        static ApplyResult<Long> result(final long total, final Object reply)
        {
            final ProcessRef to = watcher;
            return null == to ? ApplyResult.of(total, reply) :
                ApplyResult.of(total, reply, List.of(new Effect.SendMsg(to, reply)));
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return Codecs.generic();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Object> replyCodec()
        {
            return V0_REPLIES;
        }

        @Override
        public Codec<Object> messageCodec()
        {
            return V0_REPLIES;
        }
    }

    /** Version 1: replies (and tells) a {@link Total}; keeps version 0's logic and codecs for the versions before. */
    static final class CounterV1 extends CounterV0
    {
        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            final long total = state + (Long)command;
            return result(total, new Total(total, "v1"));
        }

        @Override
        public int version()
        {
            return 1;
        }

        @Override
        @SuppressWarnings("unchecked")
        public StateMachine<Object, Long> machineFor(final int version)
        {
            return version >= 1 ? this : new CounterV0();
        }

        @Override
        public Codec<Object> replyCodec()
        {
            return V1_REPLIES;
        }

        @Override
        public Codec<Object> messageCodec()
        {
            return V1_REPLIES;
        }
    }

    @Test
    void aLeaderOfANewerBuildEncodesRepliesAndMessagesWithTheCodecsOfTheVersionInForce() throws Exception
    {
        // n1 and n2 run the new build, n3 still the old one: the cluster stays at version 0.
        try (InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
            builder.registerMachine("counter", () -> "n3".equals(node) ? new CounterV0() : new CounterV1())))
        {
            final List<ServerId> members = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            cluster.system("n1").startCluster("c", "counter", members);
            ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
            if (leader.equals(members.get(2)))
            {
                cluster.system("n3").transferLeadership(leader, members.get(0));
                leader = InJvmCluster.await(() -> members.get(2).equals(cluster.leaderOf(members)) ? null :
                    cluster.leaderOf(members), Duration.ofSeconds(10), "a leader of the new build");
            }
            final RaSystem oldNode = cluster.system("n3");
            final List<Object> received = new CopyOnWriteArrayList<>();
            try (RaProcess process = oldNode.spawn(received::add))
            {
                watcher = process.ref();

                // A caller of the old build: its reply, its notification and the machine's message to it.
                final Object reply = oldNode.processCommand(leader, 5L).reply();
                oldNode.pipelineCommand(leader, 7L, "seven", process.ref());

                assertThat(reply).as("the reply to a caller of the old build").isEqualTo(5L);
                InJvmCluster.await(() -> received.size() >= 3 ? received : null, Duration.ofSeconds(10),
                    "the old build's process to hear of both commands: " + received);
                assertThat(received).contains(5L, 12L);
                assertThat(received).anySatisfy(event -> assertThat(event).isInstanceOfSatisfying(
                    RaEvent.Applied.class, applied -> assertThat(applied.applied()).containsExactly(
                        new RaEvent.Correlated("seven", 12L))));
            }
            finally
            {
                watcher = null;
            }
            assertThat(cluster.system(leader).overview(leader).machineVersion().effective()).isZero();
        }
    }
}
