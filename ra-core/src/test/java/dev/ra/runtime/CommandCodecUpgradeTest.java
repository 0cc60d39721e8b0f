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
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * During a rolling upgrade the cluster applies with the logic of the version in force, and its command codec
 * (docs/UPGRADES.md, "Machine versions"): every member must apply what the others apply. A leader whose build is
 * newer than that version once applied the command as its build's codec decoded it (it checks a command arriving
 * from another node with it, and keeps the value) or as its local caller made it, while the other members applied
 * what the codec of the version in force decodes from the same bytes: the leader's state went another way.
 */
final class CommandCodecUpgradeTest
{
    /** A command of version 1: an amount and a note. Version 0 commands are a bare {@link Long}. */
    record Add(long amount, String note)
    {
    }

    /**
     * Version 0's command codec, as in both builds: it writes a {@link Long} and reads version 1's {@link Add} as its
     * amount (the codecs of both versions read what the other writes, as the upgrade guide asks).
     */
    static final Codec<Object> V0_COMMANDS = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            out.writeBoolean(false).writeLong(value instanceof Add add ? add.amount() : (Long)value);
        }

        @Override
        public Object decode(final BufferReader in)
        {
            final boolean add = in.readBoolean();
            final long amount = in.readLong();
            if (add)
            {
                in.readString();
            }
            return amount;
        }
    };

    /** Version 1's command codec: it writes an {@link Add} and reads version 0's {@link Long} as an Add. */
    static final Codec<Object> V1_COMMANDS = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            final Add add = value instanceof Add a ? a : new Add((Long)value, "");
            out.writeBoolean(true).writeLong(add.amount()).writeString(add.note());
        }

        @Override
        public Object decode(final BufferReader in)
        {
            final boolean add = in.readBoolean();
            final long amount = in.readLong();
            return new Add(amount, add ? in.readString() : "");
        }
    };

    /** Version 0's logic: adds a {@link Long}. */
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
            return ApplyResult.of(state + (Long)command, state + (Long)command);
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return V0_COMMANDS;
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }

    /** Version 1: adds an {@link Add}'s amount; keeps version 0's logic and codec for the versions before. */
    static final class CounterV1 extends CounterV0
    {
        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            final long amount = ((Add)command).amount();
            return ApplyResult.of(state + amount, state + amount);
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
        public Codec<Object> commandCodec()
        {
            return V1_COMMANDS;
        }
    }

    @Test
    void aLeaderOfANewerBuildAppliesCommandsAsTheCodecOfTheVersionInForceDecodesThem()
    {
        // n1 and n2 run the new build, n3 still the old one.
        try (InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
            builder.registerMachine("counter", () -> "n3".equals(node) ? new CounterV0() : new CounterV1())))
        {
            final List<ServerId> members = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            final RaSystem n1 = cluster.system("n1");
            n1.startCluster("c", "counter", members);
            ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
            if (leader.equals(members.get(2)))
            {
                cluster.system("n3").transferLeadership(leader, members.get(0));
                leader = InJvmCluster.await(() -> members.get(2).equals(cluster.leaderOf(members)) ? null :
                    cluster.leaderOf(members), Duration.ofSeconds(10), "a leader of the new build");
            }
            // n3 reported version 0, and stops: the cluster stays at version 0 while n1 and n2 go on. (It is stopped
            // as the in-JVM network hands the leader's command objects to its followers, which a version-0 build,
            // unlike a real one reading bytes, could not apply.)
            cluster.stopNode("n3");
            final RaSystem leaderNode = cluster.system(leader);
            final ServerId remoteFollower = members.get(leader.equals(members.get(0)) ? 1 : 0);

            // From the leader's node (the caller's object) and from another node (bytes the leader checks).
            leaderNode.processCommand(leader, new Add(5, "local"));
            cluster.system(remoteFollower).processCommand(leader, new Add(7, "remote"));

            for (final ServerId member : members.subList(0, 2))
            {
                final long expected = 12;
                final Long state = InJvmCluster.await(() ->
                {
                    final Long counted = cluster.system(member).<Long, Long>localQuery(member, s -> s).result();
                    return counted >= expected ? counted : null;
                }, Duration.ofSeconds(10), member + " to apply both commands");
                assertThat(state).as(member + " (leader " + leader + ")").isEqualTo(expected);
            }
            assertThat(cluster.system(leader).overview(leader).machineVersion().effective()).isZero();
        }
    }
}
