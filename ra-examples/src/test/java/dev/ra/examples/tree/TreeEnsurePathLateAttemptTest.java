package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The creates of {@link TreeClient#ensurePath} with their attempts applied in the orders retries and late attempts
 * make: an attempt held up on its way, whose retry made the node, must not make the node again when it lands after
 * the node was deleted (by this client's next call or another's), which saw it gone for good.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeEnsurePathLateAttemptTest
{
    private static final String PATH = "/services/api";

    @Test
    void aCreateOfEnsurePathLandingAfterTheNodeWasDeletedMakesNothing()
    {
        final Queue<Object> applied = new ConcurrentLinkedQueue<>();
        try (TreeWorld world = TreeWorld.recording(applied))
        {
            final TreeClient tree = world.clientOn(world.cluster().awaitLeader().node());
            tree.ensurePath(PATH);
            // What ensurePath sent to make the node, as a copy of it still on its way would be.
            final Object late = applied.stream().filter(TreeEnsurePathLateAttemptTest::createsThePath).findFirst()
                .orElseThrow();
            assertThat(tree.delete(PATH, TreeOp.ANY_VERSION)).isEqualTo(new TreeReply.Deleted(PATH));

            tree.cluster().<Object>command(late, false);

            assertThat(tree.exists(PATH)).as("the node deleted after ensurePath made it").isEmpty();
        }
    }

    private static boolean createsThePath(final Object command)
    {
        final Object write = command instanceof NumberedWrite numbered ? numbered.write() : command;
        return write instanceof TreeOp.Create create && create.path().equals(PATH);
    }
}
