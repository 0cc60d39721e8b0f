package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A member rolled back to an older build after the switch, whose log holds the switch past what it applied (the
 * commit index is lost with a restart), does not campaign; it stopped applying (and said so) only once a leader
 * brought it to the switch. With a majority of members in that state no leader comes, and no member said anything:
 * the operator, who rolls forward a member that reports it cannot apply the log, never learned of it (simulation seed
 * 415672 of the rolled-back runs: two members of three rolled back, the third's log shorter). Such a member now
 * reports the switch the first time it does not campaign for it.
 */
final class UnsupportedSwitchReportTest
{
    private static final ServerId A = new ServerId("v", "n1");

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
    private final List<RaftAction> seen = new ArrayList<>();
    private long now = 1;

    @Test
    void aMemberWhoseLogHoldsASwitchItsBuildLacksReportsItWhenItDoesNotCampaign()
    {
        final ServerCore v1 = start(1, RecoveredState.NEW);
        run(v1, v1.handle(new RaftEvent.TriggerElection(), now));
        run(v1, v1.flush(now));
        final long appliedBefore = v1.lastApplied();
        final ServerCore v2 = start(2, new RecoveredState(v1.currentTerm(), v1.votedFor(), appliedBefore, null, null));
        run(v2, v2.handle(new RaftEvent.TriggerElection(), now));
        run(v2, v2.flush(now));
        assertThat(v2.role()).isEqualTo(RaftRole.LEADER);
        assertThat(v2.effectiveMachineVersion()).isEqualTo(2);
        run(v2, v2.handle(new RaftEvent.ClientCommand(UserCommand.ofValue("a"), ReplyMode.NO_REPLY), now));
        run(v2, v2.flush(now));

        // Rolled back, with last applied persisted before the switch: nothing applies it up to the switch.
        final ServerCore rolledBack = start(1, new RecoveredState(v2.currentTerm(), v2.votedFor(), appliedBefore,
            null, null));
        seen.clear();
        run(rolledBack, rolledBack.handle(new RaftEvent.ElectionTimeout(), now));
        run(rolledBack, rolledBack.handle(new RaftEvent.ElectionTimeout(), now));

        assertThat(rolledBack.role()).isEqualTo(RaftRole.FOLLOWER);
        assertThat(seen).filteredOn(RaftAction.MachineVersionUnsupported.class::isInstance).as("reported once")
            .singleElement().extracting(action -> ((RaftAction.MachineVersionUnsupported)action).message())
            .asString().contains("needs machine version 2", "supports versions 0 to 1", "does not campaign");
    }

    private ServerCore start(final int version, final RecoveredState recovered)
    {
        final ServerCore core = new ServerCore(new CoreConfig(A, "v", List.of(Member.voter(A)), 1000, 2000,
            128, 4096, 0, 1_000_000, 30_000, 2),
            new SnapshotMachineVersionTest.LaggingCursorMachine(version), storage.log(), storage.snapshots(),
            recovered, new SplittableRandom(1));
        run(core, core.start(now));
        return core;
    }

    /** Write what is appended and report it written. */
    private void run(final ServerCore core, final List<RaftAction> actions)
    {
        now++;
        seen.addAll(actions);
        final List<RaftEvent> then = new ArrayList<>();
        for (final RaftAction action : List.copyOf(actions))
        {
            if (action instanceof RaftAction.AppendToLog append)
            {
                storage.log().append(append.entries());
                final LogEntry last = append.entries().get(append.entries().size() - 1);
                then.add(new RaftEvent.LogWritten(last.index(), last.term()));
            }
        }
        for (final RaftEvent event : then)
        {
            run(core, core.handle(event, now));
        }
    }
}
