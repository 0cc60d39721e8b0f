package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.InvalidCommandException;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codecs;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes that do not decode as a command, sent by another node, are refused by the leader with a clear error before
 * they reach the log: appended, they would stop every member when applied.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InvalidCommandTest
{
    @Test
    void leaderRefusesUndecodableCommandBytesAndKeepsServing() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
            final byte[] garbage = {(byte)0xFE, 0x01, 0x02, 0x03};
            final NodeMessage.CallReply answer = RogueCaller.call(cluster, leader, 42, garbage);
            assertThat(answer.callId()).isEqualTo(42);
            assertThat(answer.status()).isEqualTo(NodeMessage.CallStatus.FAILED);
            assertThat(answer.error()).isEqualTo(CallError.INVALID_COMMAND);

            assertThat(cluster.system(leader).isRunning(leader)).isTrue();
            final Object previous = cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v"),
                Duration.ofSeconds(10)).reply();
            assertThat(previous).isNull();
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " still runs").isTrue();
            }
        }
    }

    /**
     * A machine whose {@code commandType()} returns null or throws: a local caller is told so, and a command from
     * another node is refused by the leader with that reason. The leader used to stop on the null check (a
     * NullPointerException on its loop), then every member elected after it, on the next such command.
     */
    @Test
    void aMachineWithoutAUsableCommandTypeRefusesCommandsAndKeepsServing() throws Exception
    {
        for (final boolean throwing : new boolean[] {false, true})
        {
            try (InJvmCluster cluster = new InJvmCluster(1))
            {
                final ServerId member = new ServerId("typeless", "n1");
                cluster.first().startCluster("typeless", new TypelessMachine(throwing), List.of(member));
                cluster.awaitLeader(List.of(member), Duration.ofSeconds(10));

                assertThatThrownBy(() -> cluster.first().processCommand(member, "x"))
                    .isInstanceOf(InvalidCommandException.class)
                    .hasMessageContaining("commandType()");
                final NodeMessage.CallReply answer = RogueCaller.call(cluster, member, 7,
                    Codecs.generic().toBytes("x"));
                assertThat(answer.error()).as("throwing " + throwing).isEqualTo(CallError.INVALID_COMMAND);
                assertThat(answer.message()).contains("commandType()");
                assertThat(cluster.first().isRunning(member)).as(member + " still runs").isTrue();
            }
        }
    }

    /**
     * {@code long.class} is a {@code Class<? super Long>} to the compiler, so a machine may declare it as its command
     * type; every command arrives boxed, and used to be refused as "not a long", on the caller's node and again by the
     * leader for a caller on another node.
     */
    @Test
    void aPrimitiveCommandTypeTakesItsBoxedCommands() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(2))
        {
            final ServerId member = new ServerId("counter", "n1");
            cluster.first().startCluster("counter", new PrimitiveCommandMachine(), List.of(member));
            cluster.system("n2").registerCluster("counter", new PrimitiveCommandMachine(), List.of(member));

            assertThat(cluster.first().<Long>processCommand(member, 5L).reply()).isEqualTo(5L);
            assertThat(cluster.system("n2").<Long>processCommand(member, 2L).reply()).isEqualTo(7L);
            assertThat(RogueCaller.call(cluster, member, 9, Codecs.generic().toBytes(1L)).status())
                .as("a command from another node, checked by the leader alone")
                .isEqualTo(NodeMessage.CallStatus.OK);
        }
    }

    /** A counter whose command type is the primitive {@code long}. */
    public static final class PrimitiveCommandMachine implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            return ApplyResult.of(state + amount, state + amount);
        }

        @Override
        public Class<Long> commandType()
        {
            return long.class;
        }
    }

    /** A machine whose command type is null, or whose {@code commandType()} throws. */
    public static final class TypelessMachine implements StateMachine<Object, Long>
    {
        private final boolean throwing;

        /**
         * @param throwing whether {@code commandType()} throws rather than returning null.
         */
        TypelessMachine(final boolean throwing)
        {
            this.throwing = throwing;
        }

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }

        @Override
        public Class<Object> commandType()
        {
            if (throwing)
            {
                throw new IllegalStateException("no type today");
            }
            return null;
        }
    }

    /**
     * A command holding half of a surrogate pair cannot be carried by UTF-8: encoded as '?', a leader holding the
     * caller's object would apply it as it is while the members that decode it apply '?', and their states would
     * differ for ever. It is refused on the caller's node before anything is sent; it used to be accepted.
     */
    @Test
    void aCommandUtf8CannotCarryIsRefusedBeforeItIsSent() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));

            assertThatThrownBy(() -> cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v\uD800")))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("surrogate");
            assertThat(cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v\uD834\uDD1E"))
                .leader()).isEqualTo(leader);
        }
    }
}
