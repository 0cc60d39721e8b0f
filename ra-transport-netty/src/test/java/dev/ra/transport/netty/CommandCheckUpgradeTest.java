package dev.ra.transport.netty;

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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * During a rolling upgrade a leader checks the commands other nodes send it with the command codec and the command
 * type of the version in force (docs/UPGRADES.md, "Machine versions"), over a network that carries bytes: it once
 * decoded and type-checked them with its build's newest machine, so a command of a caller of the older build, which
 * every member applies with the older version's logic, was refused as undecodable or of the wrong type.
 */
final class CommandCheckUpgradeTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Version 1's command: an amount and a note. */
    record Add(long amount, String note)
    {
    }

    /**
     * Version 0's commands: a {@link Long} to add, or "double" (an amount of 2 stands for it); it reads version 1's
     * {@link Add} as its amount.
     */
    static final Codec<Object> V0_COMMANDS = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            if ("double".equals(value))
            {
                out.writeBoolean(false).writeLong(2);
            }
            else
            {
                out.writeBoolean(false).writeLong(value instanceof Add add ? add.amount() : (Long)value);
            }
        }

        @Override
        public Object decode(final BufferReader in)
        {
            final boolean add = in.readBoolean();
            final long amount = in.readLong();
            if (add)
            {
                in.readString();
                return amount;
            }
            return 2 == amount ? "double" : (Object)amount;
        }
    };

    /** Version 1's: an {@link Add}; it has no "double" and reads version 0's amounts as they were, a {@link Long}. */
    static final Codec<Object> V1_COMMANDS = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            final Add add = (Add)value;
            out.writeBoolean(true).writeLong(add.amount()).writeString(add.note());
        }

        @Override
        public Object decode(final BufferReader in)
        {
            final boolean add = in.readBoolean();
            final long amount = in.readLong();
            if (add)
            {
                return new Add(amount, in.readString());
            }
            if (2 == amount)
            {
                throw new CodecException("version 1 has no 'double' command");
            }
            return amount;
        }
    };

    /** Version 0's logic: adds a {@link Long}, or doubles. */
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
            final long total = "double".equals(command) ? state * 2 : state + (Long)command;
            return ApplyResult.of(total, total);
        }

        @Override
        public Class<? super Object> commandType()
        {
            return Object.class;
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
            final long total = state + ((Add)command).amount();
            return ApplyResult.of(total, total);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Class<? super Object> commandType()
        {
            return (Class)Add.class;
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
    void aLeaderOfANewerBuildTakesTheCommandsOfTheVersionInForceFromAnOlderBuild()
    {
        // n1 and n2 run the new build, n3 still the old one: the cluster stays at version 0.
        try (LoopbackTransports transports = new LoopbackTransports(3);
             InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), transports, (node, builder) ->
                 builder.registerMachine("counter", () -> "n3".equals(node) ? new CounterV0() : new CounterV1())))
        {
            transports.awaitConnected(WAIT);
            final List<ServerId> members = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            cluster.system("n1").startCluster("c", "counter", members);
            ServerId leader = cluster.awaitLeader(members, WAIT);
            if (leader.equals(members.get(2)))
            {
                cluster.system("n3").transferLeadership(leader, members.get(0));
                leader = InJvmCluster.await(() -> members.get(2).equals(cluster.leaderOf(members)) ? null :
                    cluster.leaderOf(members), WAIT, "a leader of the new build");
            }
            final RaSystem oldNode = cluster.system("n3");

            // A Long (not the newest build's command type) and a command the newest codec no longer reads.
            assertThat(oldNode.<Long>processCommand(leader, 5L, WAIT).reply()).isEqualTo(5L);
            assertThat(oldNode.<Long>processCommand(leader, "double", WAIT).reply()).isEqualTo(10L);
            // The leader's own caller, of the new build: its command is what version 0's codec reads of its bytes.
            assertThat(cluster.system(leader).<Long>processCommand(leader, new Add(1, "new"), WAIT).reply())
                .isEqualTo(11L);

            for (final ServerId member : members)
            {
                final Long state = InJvmCluster.await(() ->
                {
                    final Long counted = cluster.system(member).<Long, Long>localQuery(member, s -> s).result();
                    return counted >= 11 ? counted : null;
                }, WAIT, member + " to apply the commands");
                assertThat(state).as(member.toString()).isEqualTo(11L);
            }
            assertThat(cluster.system(leader).overview(leader).machineVersion().effective()).isZero();
        }
    }
}
