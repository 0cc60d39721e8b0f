package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A snapshot records the machine version in force at ITS index, not the one in force when it is taken: a machine may
 * release a cursor at an earlier index than the entry it is applying (Ra's release cursor of a queue, whose oldest
 * message is still held). The simulation's register machine releases at the entry it applies, where both are the
 * same, so a snapshot stamped with the current version instead passed every simulation seed.
 *
 * <p>One member (it switches as soon as it leads with a newer build) runs version 1, is restarted with a build of
 * version 2 (the switch is the noop of its new term), and its machine then releases cursors at indexes before the
 * switch. A member started from such a snapshot must apply the entries between the snapshot and the switch with
 * version 1 again, ending in the state of the member that never stopped.
 */
final class SnapshotMachineVersionTest
{
    private static final ServerId A = new ServerId("v", "n1");

    /**
     * The versions the entries were applied with, in order; {@code previous} is the state before the last entry, so
     * the machine can release a cursor at an earlier index with the state of that index.
     */
    record History(long index, List<Integer> versions, History previous)
    {
        History then(final long at, final int version)
        {
            final List<Integer> next = new ArrayList<>(versions);
            next.add(version);
            return new History(at, List.copyOf(next), this);
        }

        History at(final long wanted)
        {
            History state = this;
            for (int steps = 0; state.index > wanted && steps < 1_000; steps++)
            {
                state = state.previous;
            }
            return state;
        }
    }

    /** Command {@code "release:K"} releases a cursor at index K (an entry it applied before), with its state. */
    record LaggingCursorMachine(int version) implements StateMachine<String, History>
    {
        @Override
        public History init(final InitArgs args)
        {
            return new History(0, List.of(), null);
        }

        @Override
        public ApplyResult<History> apply(final CommandMeta meta, final String command, final History state)
        {
            final History next = state.then(meta.index(), meta.machineVersion());
            if (command.startsWith("release:"))
            {
                final History released = next.at(Long.parseLong(command.substring("release:".length())));
                return ApplyResult.of(next, "ok", List.<Effect>of(new Effect.ReleaseCursor(released.index(),
                    released)));
            }
            return ApplyResult.of(next, "ok");
        }

        @Override
        public ApplyResult<History> applyBuiltin(final CommandMeta meta, final BuiltinCommand command,
            final History state)
        {
            return command instanceof BuiltinCommand.MachineVersionChanged changed ?
                ApplyResult.of(state.then(meta.index(), -changed.to())) : ApplyResult.of(state);
        }

        @Override
        public int version()
        {
            return version;
        }
    }

    private final ServerStorage storage = new InMemoryStorage().open(A, new LogListener()
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    });
    private final List<SnapshotMeta> snapshotsAsked = new ArrayList<>();
    private final List<Object> snapshotStates = new ArrayList<>();
    private long now = 1;

    @Test
    void aSnapshotAtAnIndexBeforeTheSwitchRecordsTheVersionOfItsIndexAndRestoresWithIt()
    {
        final ServerCore v1 = leaderWith(1, RecoveredState.NEW);
        for (final String command : List.of("a", "b", "c", "d", "e"))
        {
            propose(v1, command);
        }
        assertThat(v1.effectiveMachineVersion()).isEqualTo(1);
        assertThat(v1.lastApplied()).isEqualTo(6);

        // Restarted with the version 2 build: the noop of its new term (index 7) switches to version 2.
        final ServerCore v2 = leaderWith(2, new RecoveredState(v1.currentTerm(), v1.votedFor(), v1.lastApplied(),
            null, null));
        assertThat(v2.effectiveMachineVersion()).isEqualTo(2);
        assertThat(v2.lastApplied()).isEqualTo(7);

        propose(v2, "release:3");
        propose(v2, "release:5");
        propose(v2, "f");

        assertThat(snapshotsAsked).extracting(SnapshotMeta::index).containsExactly(3L, 5L);
        assertThat(snapshotsAsked).extracting(SnapshotMeta::machineVersion).as("versions in force at 3 and 5")
            .containsExactly(1, 1);

        // Started from the snapshot at 5, it applies 6 with version 1 again and switches at 7, as the log says.
        final SnapshotMeta latest = snapshotsAsked.get(1);
        final ServerCore restored = leaderWith(2, new RecoveredState(v2.currentTerm(), v2.votedFor(),
            v2.lastApplied(), latest, snapshotStates.get(1)));
        assertThat(((History)restored.machineState()).versions()).as("versions applied after a restore")
            .isEqualTo(((History)v2.machineState()).versions());
    }

    /** Start a core on the storage with a build of that version and make it lead. */
    private ServerCore leaderWith(final int version, final RecoveredState recovered)
    {
        final ServerCore core = new ServerCore(new CoreConfig(A, "v", List.of(Member.voter(A)), 1000, 2000,
            128, 4096, 0, 1_000_000, 30_000, 2),
            new LaggingCursorMachine(version), storage.log(), storage.snapshots(), recovered,
            new SplittableRandom(1));
        run(core, core.start(now));
        run(core, core.handle(new RaftEvent.TriggerElection(), now));
        run(core, core.flush(now));
        assertThat(core.role()).isEqualTo(RaftRole.LEADER);
        return core;
    }

    private void propose(final ServerCore core, final String command)
    {
        run(core, core.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(command), ReplyMode.NO_REPLY), now));
        run(core, core.flush(now));
    }

    /** Write what is appended and report it written; take the snapshots asked for at once. */
    private void run(final ServerCore core, final List<RaftAction> actions)
    {
        now++;
        final List<RaftEvent> then = new ArrayList<>();
        for (final RaftAction action : List.copyOf(actions))
        {
            if (action instanceof RaftAction.AppendToLog append)
            {
                storage.log().append(append.entries());
                final LogEntry last = append.entries().get(append.entries().size() - 1);
                then.add(new RaftEvent.LogWritten(last.index(), last.term()));
            }
            else if (action instanceof RaftAction.WriteSnapshot write)
            {
                snapshotsAsked.add(write.meta());
                snapshotStates.add(write.machineState());
                then.add(new RaftEvent.SnapshotWritten(write.meta()));
            }
        }
        for (final RaftEvent event : then)
        {
            run(core, core.handle(event, now));
        }
    }
}
