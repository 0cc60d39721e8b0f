package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The servers a snapshot names as removed, and what a member started from, or installing, such a snapshot knows of
 * them: a removed member that comes back after its removal was compacted away is still known for one.
 */
class ConfigHistoryTest
{
    private static final ServerId A = new ServerId("t", "n1");
    private static final ServerId B = new ServerId("t", "n2");
    private static final ServerId C = new ServerId("t", "n3");
    private static final ServerId D = new ServerId("t", "n4");

    @Test
    void aSnapshotNamesTheServersRemovedUpToItAndAMemberStartedFromItKnowsThem()
    {
        final ConfigHistory history = new ConfigHistory(0, members(A, B, C), List.of());
        history.add(5, members(A, B));
        history.add(8, members(A, B, D));

        assertThat(history.removedAsOf(4)).isEmpty();
        assertThat(history.removedAsOf(5)).containsExactly(C);
        history.compactUpTo(9);
        assertThat(history.removedAsOf(9)).containsExactly(C);

        final ConfigHistory restarted = new ConfigHistory(9, members(A, B, D), history.removedAsOf(9));
        assertThat(restarted.namedByCommitted(C, 9)).as("the removed member").isTrue();
        assertThat(restarted.namedByCommitted(new ServerId("t", "n9"), 9)).as("never a member").isFalse();
        assertThat(restarted.removedAsOf(9)).as("carried on by the next snapshot").containsExactly(C);

        final ConfigHistory installed = new ConfigHistory(0, members(A, B, C), List.of());
        installed.reset(9, members(A, B, D), history.removedAsOf(9));
        assertThat(installed.namedByCommitted(C, 9)).isTrue();
        assertThat(installed.removedAsOf(9)).containsExactly(C);
    }

    @Test
    void aServerAddedBackIsNoLongerNamedAsRemoved()
    {
        final ConfigHistory history = new ConfigHistory(3, members(A, B), List.of(C, D));
        history.add(6, members(A, B, C));

        assertThat(history.removedAsOf(5)).containsExactly(C, D);
        assertThat(history.removedAsOf(6)).containsExactly(D);
        history.add(9, members(A, B));
        assertThat(history.removedAsOf(9)).as("removed again: most recently named last").containsExactly(D, C);
    }

    private static List<Member> members(final ServerId... ids)
    {
        return java.util.Arrays.stream(ids).map(Member::voter).toList();
    }
}
