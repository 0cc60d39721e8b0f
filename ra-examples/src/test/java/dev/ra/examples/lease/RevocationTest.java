package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.Answered;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A revoke never tells its caller that the session did not exist and nothing was released when its own first attempt,
 * whose outcome was unknown, ended it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RevocationTest
{
    private static final Duration LAG = Duration.ofSeconds(1);

    @Test
    void aRevokeWhoseCommitOutlastsOneAttemptDoesNotReportThatTheSessionDidNotExist()
    {
        try (LeaseWorld world = new LeaseWorld(16))
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            final LeasedKvClient plain = world.clientOn(leader.node());
            final long session = plain.grant(Duration.ofSeconds(30), (ProcessRef)null).sessionId();
            plain.put("svc/a", "1", session);
            final List<String> followers = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node()))
                .toList();
            Object outcome;
            // Every commit takes a LAG, longer than one attempt of a client on the leader's node.
            followers.forEach(f -> cluster.network().delay(f, leader.node(), LAG));
            try
            {
                outcome = new LeasedKvClient(new ClusterClient(cluster.system(leader.node()), cluster.members(),
                    Duration.ofSeconds(30), Duration.ofMillis(200))).revoke(session);
            }
            catch (final CommandOutcomeUnknownException ex)
            {
                outcome = ex;
            }
            finally
            {
                followers.forEach(f -> cluster.network().delay(f, leader.node(), Duration.ZERO));
            }

            assertThat(plain.session(session)).isEmpty();
            assertThat(plain.get("svc/a")).isEmpty();
            assertThat(outcome).satisfiesAnyOf(
                o -> assertThat(o).isInstanceOf(CommandOutcomeUnknownException.class),
                o -> assertThat(o).isEqualTo(new SessionReply.Ended(session, true, List.of("svc/a"))));
        }
    }

    @Test
    void aRetryThatFindsTheSessionEndedReportsTheUnknownOutcome()
    {
        assertThatThrownBy(() -> Revocation.ended(7, new Answered<>(new SessionReply.Ended(7, false, List.of()), true)))
            .isInstanceOf(CommandOutcomeUnknownException.class).hasMessageContaining("session 7");
    }

    @Test
    void aRetryThatFindsTheSessionLiveIsTheAnswer()
    {
        final SessionReply.Ended ended = new SessionReply.Ended(7, true, List.of("k"));

        assertThat(Revocation.ended(7, new Answered<>(ended, true))).isSameAs(ended);
    }

    @Test
    void anEndedSessionFoundByTheOnlyAttemptIsTheAnswer()
    {
        final SessionReply.Ended ended = new SessionReply.Ended(7, false, List.of());

        assertThat(Revocation.ended(7, new Answered<>(ended, false))).isSameAs(ended);
    }
}
