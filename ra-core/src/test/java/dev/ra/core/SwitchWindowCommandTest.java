package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A command a leader takes after it appended the noop that switches the cluster to a newer machine version, and before
 * it applied that noop, sits after the switch in the log: every member applies it with the newer version. Its bytes
 * must be what that version's codec writes, and the leader must apply what the others decode from them, not the
 * caller's object (docs/UPGRADES.md: the codecs of both versions read what the other writes, but a version-0 codec
 * cannot carry what only version 1 knows).
 */
final class SwitchWindowCommandTest
{
    /** The command of version 1; version 0 knows only its amount (a long). */
    record Add(long amount, String note)
    {
    }

    /** Version 0 reads and writes the amount alone. */
    private static final Codec<Object> V0_CODEC = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            out.writeLong(value instanceof Add add ? add.amount() : (Long)value);
        }

        @Override
        public Object decode(final BufferReader in)
        {
            return in.readLong();
        }
    };

    /** Version 1 writes the amount and the note, and reads a version-0 command as an Add without a note. */
    private static final Codec<Object> V1_CODEC = new Codec<>()
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            final Add add = value instanceof Add a ? a : new Add((Long)value, "");
            out.writeLong(add.amount());
            out.writeString(add.note());
        }

        @Override
        public Object decode(final BufferReader in)
        {
            final long amount = in.readLong();
            return new Add(amount, in.remaining() > 0 ? in.readString() : "");
        }
    };

    record VersionedMachine(int version) implements StateMachine<Object, String>
    {
        @Override
        public String init(final InitArgs args)
        {
            return "";
        }

        @Override
        public ApplyResult<String> apply(final CommandMeta meta, final Object command, final String state)
        {
            final String applied = command instanceof Add add ? add.amount() + add.note() : String.valueOf(command);
            return ApplyResult.of(state + "|" + applied);
        }

        @Override
        public StateMachine<Object, String> machineFor(final int older)
        {
            return new VersionedMachine(older);
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return 0 == version ? V0_CODEC : V1_CODEC;
        }
    }

    @Test
    void aCommandTakenBetweenTheSwitchAndItsApplyIsAppliedAlikeOnEveryMember()
    {
        final ThreeCores cluster = new ThreeCores();
        final boolean[] switchAppended = {false};
        final UserCommand[] appended = {null};
        cluster.watch = (core, action) ->
        {
            if (core.id().equals(ThreeCores.A) && action instanceof RaftAction.AppendToLog append)
            {
                for (final LogEntry entry : append.entries())
                {
                    if (entry.payload() instanceof UserCommand command)
                    {
                        appended[0] = command;
                    }
                    if (entry.payload() instanceof EntryPayload.Noop noop && 1 == noop.machineVersion())
                    {
                        switchAppended[0] = true;
                    }
                }
            }
        };
        final ServerCore leader = cluster.startUntil(new VersionedMachine(1), () -> switchAppended[0]);
        assertThat(switchAppended[0]).as("the leader appended the switch to version 1").isTrue();
        assertThat(leader.effectiveMachineVersion()).as("not applied yet").isZero();

        // As the runtime's check on the leader leaves it: encoded with the codec of the version in force.
        final UserCommand command = UserCommand.ofValue(new Add(5, "local"));
        command.data(V0_CODEC);
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(command, new ReplyMode.NoReply()),
            cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();

        assertThat(leader.effectiveMachineVersion()).isEqualTo(1);
        assertThat(leader.machineState()).isEqualTo("|5local");
        // What the other members (their messages and logs hold bytes) and a restart of the leader apply.
        assertThat(V1_CODEC.decode(new BufferReader(appended[0].dataIfEncoded().unsafeArray())))
            .as("the command's bytes, as version 1 (in force at its index) reads them")
            .isEqualTo(new Add(5, "local"));
    }

    /**
     * Version 0 appends a command of its own (an {@link Effect.Append} of a {@link Long}) when it applies 7; version 1
     * applies an {@link Add}, and shows a version-0 object it is handed as "raw".
     */
    record AppendingMachine(int version) implements StateMachine<Object, String>
    {
        @Override
        public String init(final InitArgs args)
        {
            return "";
        }

        @Override
        public ApplyResult<String> apply(final CommandMeta meta, final Object command, final String state)
        {
            if (0 == version)
            {
                final String next = state + "|" + command;
                return Long.valueOf(7).equals(command) ? ApplyResult.of(next, null, new Effect.Append(100L)) :
                    ApplyResult.of(next);
            }
            return ApplyResult.of(state + (command instanceof Add add ? "|add" + add.amount() + add.note() :
                "|raw" + command));
        }

        @Override
        public StateMachine<Object, String> machineFor(final int older)
        {
            return new AppendingMachine(older);
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return 0 == version ? V0_CODEC : V1_CODEC;
        }
    }

    @Test
    void aCommandAnApplyAppendsBetweenTheSwitchAndItsApplyIsAppliedAlikeOnEveryMember()
    {
        final ThreeCores cluster = new ThreeCores();
        final long[] switchIndex = {Long.MAX_VALUE};
        final List<LogEntry> commands = new ArrayList<>();
        cluster.watch = (core, action) ->
        {
            if (core.id().equals(ThreeCores.A) && action instanceof RaftAction.AppendToLog append)
            {
                for (final LogEntry entry : append.entries())
                {
                    if (entry.payload() instanceof UserCommand)
                    {
                        commands.add(entry);
                    }
                    if (entry.payload() instanceof EntryPayload.Noop noop && 1 == noop.machineVersion())
                    {
                        switchIndex[0] = entry.index();
                    }
                }
            }
        };
        final ServerCore leader = cluster.startUntil(new AppendingMachine(1), () ->
            cluster.cores.get(ThreeCores.A).role() == dev.ra.RaftRole.LEADER);
        // Taken before the switch, applied with version 0 once the switch is appended: its effect's command is
        // appended after the switch, and applied with version 1.
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(7L),
            new ReplyMode.NoReply()), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();

        assertThat(leader.effectiveMachineVersion()).isEqualTo(1);
        assertThat(commands).hasSize(2);
        final LogEntry appended = commands.get(1);
        assertThat(appended.index()).as("the effect's command sits after the switch").isGreaterThan(switchIndex[0]);
        // What the other members (their messages and logs hold bytes) and a restart of the leader apply.
        final Object read = V1_CODEC.decode(new BufferReader(((UserCommand)appended.payload()).data(V1_CODEC)
            .unsafeArray()));
        assertThat(read).isEqualTo(new Add(100, ""));
        assertThat(leader.machineState()).as("the leader applies what the others decode").isEqualTo("|7|add100");
    }
}
