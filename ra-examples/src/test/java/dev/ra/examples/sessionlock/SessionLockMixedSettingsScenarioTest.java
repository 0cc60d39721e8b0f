package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.support.Inbox;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 3-node in-JVM cluster whose nodes were given different grace periods (as the toolbox node reads
 * {@code sessionlock.grace.ms} from each node's own settings): every member must record the same deadline for a
 * cut-off holder, whichever member leads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionLockMixedSettingsScenarioTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void shouldGiveACutOffHolderTheSameDeadlineOnEveryMember()
    {
        try (ToolboxCluster world = ToolboxCluster.start("slocks", (node, builder) -> builder
            .registerMachine("slocks", () -> new SessionLockMachine(
                Duration.ofSeconds("n1".equals(node) ? 60 : 30), ReleaseCursorPolicy.every(1_000)))))
        {
            world.awaitLeader();
            // Until the leader's Configure (after the switch from version 0, the version a new cluster starts at)
            // each member applies its own grace period, as the older versions did.
            InJvmCluster.await(() ->
            {
                final Set<Long> inForce = new HashSet<>();
                for (final ServerId member : world.members())
                {
                    inForce.add(world.system(member.node()).<SessionLockState, Long>localQuery(member,
                        SessionLockState::graceMs).result());
                }
                return 1 == inForce.size() && !inForce.contains(SessionLockState.GRACE_OF_EACH_MEMBER) ? inForce : null;
            }, WAIT, "one grace period in force on every member");
            final SessionLockClient locks = new SessionLockClient(world.system("n1"), world.members());
            final Inbox holder = new Inbox(world.app());
            assertThat(locks.acquire("k", holder.ref())).isInstanceOf(LockReply.Acquired.class);

            world.isolateAppNode();

            final List<Disconnection> seen = InJvmCluster.await(() ->
            {
                final List<Disconnection> each = new ArrayList<>();
                for (final ServerId member : world.members())
                {
                    final SessionLockEntry entry = world.system(member.node()).<SessionLockState, SessionLockEntry>
                        localQuery(member, state -> state.lock("k")).result();
                    if (null == entry || null == entry.disconnection())
                    {
                        return null;
                    }
                    each.add(entry.disconnection());
                }
                return each;
            }, WAIT, "every member recording the holder's disconnection");

            assertThat(seen).as("the disconnection on n1, n2 and n3").containsOnly(seen.get(0));
        }
    }
}
