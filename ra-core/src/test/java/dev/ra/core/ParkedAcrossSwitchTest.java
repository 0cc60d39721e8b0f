package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A command that arrives while the leader hands its leadership over is kept (ParkedCommands) and appended if the
 * hand-over fails. The leader's runtime checked it when it arrived, with the machine version commands were applied
 * with then; a switch to a newer version appended meanwhile (a voter reported its upgraded build) makes the command sit
 * after the switch, applied with a version that may not read it.
 */
final class ParkedAcrossSwitchTest
{
    /** Version 1 writes it before the command: it reads nothing else. */
    private static final int V1_TAG = 0x7E570001;

    /** Version 0 writes its command, a long, as 8 bytes; version 1 writes a tag first and reads nothing else. */
    private static final Codec<Object> V0_CODEC = new Codec<>()
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

    private static final Codec<Object> V1_CODEC = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            out.writeInt(V1_TAG);
            out.writeLong((Long)value);
        }

        @Override
        public Object decode(final BufferReader in)
        {
            if (V1_TAG != in.readInt())
            {
                throw new CodecException("not a command of machine version 1");
            }
            return in.readLong();
        }
    };

    record Versioned(int version) implements StateMachine<Object, String>
    {
        @Override
        public String init(final InitArgs args)
        {
            return "";
        }

        @Override
        public ApplyResult<String> apply(final CommandMeta meta, final Object command, final String state)
        {
            return ApplyResult.of(state + "|" + command);
        }

        @Override
        public StateMachine<Object, String> machineFor(final int older)
        {
            return new Versioned(older);
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return 0 == version ? V0_CODEC : V1_CODEC;
        }
    }

    @Test
    void aCommandKeptDuringAHandOverIsNotAppendedAfterASwitchItWasNotCheckedFor()
    {
        final ThreeCores cluster = new ThreeCores();
        final List<UserCommand> appended = new ArrayList<>();
        final List<RaftAction.CommandNotTaken> notTaken = new ArrayList<>();
        cluster.watch = (core, action) ->
        {
            if (core.id().equals(ThreeCores.A) && action instanceof RaftAction.AppendToLog append)
            {
                for (final LogEntry entry : append.entries())
                {
                    if (entry.payload() instanceof UserCommand command)
                    {
                        appended.add(command);
                    }
                }
            }
            if (core.id().equals(ThreeCores.A) && action instanceof RaftAction.CommandNotTaken refused)
            {
                notTaken.add(refused);
            }
        };
        // C runs an older build: the cluster stays at version 0.
        final ServerCore leader = cluster.start(id -> new Versioned(id.equals(ThreeCores.C) ? 0 : 1));
        assertThat(leader.effectiveMachineVersion()).isZero();

        // The hand-over to B never completes: its TimeoutNow is lost.
        cluster.lose = (to, rpc) -> rpc instanceof RaftRpc.TimeoutNowRpc;
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, ThreeCores.B), cluster.now));
        // A caller of the older build: version 0's bytes, which the runtime checked with version 0, in force.
        final BufferWriter out = new BufferWriter(16);
        V0_CODEC.encode(5L, out);
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofData(out.toBytes()),
            new ReplyMode.AwaitConsensus(7)), cluster.now));
        assertThat(appended).as("kept during the hand-over").isEmpty();

        // C reports its upgraded build: the leader appends the switch to version 1.
        cluster.run(leader, leader.handle(new RaftEvent.RpcReceived(ThreeCores.C, new RaftRpc.AppendEntriesReply(
            leader.currentTerm(), true, leader.lastIndex() + 1, leader.lastIndex(), leader.lastTerm(),
            leader.commitIndex(), 1)), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();
        for (int ticks = 0; leader.transferring() && ticks < 1_000; ticks++)
        {
            cluster.now += 100;
            cluster.run(leader, leader.handle(new RaftEvent.Tick(), cluster.now));
            cluster.run(leader, leader.flush(cluster.now));
            cluster.deliverAll();
        }
        assertThat(leader.role()).isEqualTo(RaftRole.LEADER);
        assertThat(leader.transferring()).as("the hand-over failed").isFalse();
        assertThat(leader.effectiveMachineVersion()).isEqualTo(1);

        assertThat(appended).as("appended after the switch, where version 1 cannot read it").isEmpty();
        assertThat(notTaken).as("not taken: its caller sends it again, checked with version 1")
            .anySatisfy(refused -> assertThat(refused.replyMode()).isEqualTo(new ReplyMode.AwaitConsensus(7)));
    }
}
