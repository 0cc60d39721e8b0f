package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A conditional put whose outcome is unknown and is sent again recognises its own write when the retry fails its
 * compare: a session-bound lock taken by a put whose answer was lost is reported taken.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeasedKvClientPutIfTest
{
    private static final Duration LAG = Duration.ofSeconds(1);
    private static final Duration TTL = Duration.ofSeconds(30);

    @Test
    void aLockTakenByAPutWhoseCommitOutlastsOneAttemptIsReportedTaken()
    {
        try (LeaseWorld world = new LeaseWorld(16))
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            final LeasedKvClient plain = world.clientOn(leader.node());
            final long session = plain.grant(TTL, (ProcessRef)null).sessionId();
            final List<String> followers = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node()))
                .toList();
            final LeasedKvReply reply;
            // Every commit takes a LAG, longer than one attempt of a client on the leader's node.
            followers.forEach(f -> cluster.network().delay(f, leader.node(), LAG));
            try
            {
                reply = new LeasedKvClient(new ClusterClient(cluster.system(leader.node()), cluster.members(),
                    Duration.ofSeconds(30), Duration.ofMillis(200))).putIf("lock/printer", 0, "me", session);
            }
            finally
            {
                followers.forEach(f -> cluster.network().delay(f, leader.node(), Duration.ZERO));
            }

            final KeyValue held = plain.get("lock/printer").orElseThrow();
            assertThat(held.value()).isEqualTo("me");
            assertThat(held.sessionId()).isEqualTo(session);
            assertThat(reply).isEqualTo(new LeasedKvReply.Written(held.modRevision(), null));
        }
    }

    @Test
    void aRetryThatFailsItsCompareOnItsOwnCreationReportsTheWrite()
    {
        final LeasedKvCommand.PutIf putIf = new LeasedKvCommand.PutIf("k", 0, "me", 7);

        assertThat(LeasedKvClient.ownWriteRecognised(putIf,
            new LeasedKvReply.CompareFailed(new KeyValue("k", "me", 12, 12, 1, 7))))
            .isEqualTo(new LeasedKvReply.Written(12, null));
    }

    @Test
    void aRetryThatFailsItsCompareOnItsOwnUpdateReportsTheWrite()
    {
        final LeasedKvCommand.PutIf putIf = new LeasedKvCommand.PutIf("k", 9, "me", 7);

        assertThat(LeasedKvClient.ownWriteRecognised(putIf,
            new LeasedKvReply.CompareFailed(new KeyValue("k", "me", 4, 12, 3, 7))))
            .isEqualTo(new LeasedKvReply.Written(12, null));
    }

    @Test
    void aCompareFailedOnSomeoneElsesKeyIsReportedAsIs()
    {
        final LeasedKvCommand.PutIf create = new LeasedKvCommand.PutIf("k", 0, "me", 7);
        final LeasedKvCommand.PutIf update = new LeasedKvCommand.PutIf("k", 9, "me", 7);
        for (final KeyValue other : List.of(
            new KeyValue("k", "you", 12, 12, 1, 7),
            new KeyValue("k", "me", 12, 12, 1, 8),
            new KeyValue("k", "me", 10, 12, 2, 7)))
        {
            final LeasedKvReply failed = new LeasedKvReply.CompareFailed(other);
            assertThat(LeasedKvClient.ownWriteRecognised(create, failed)).as("create over %s", other)
                .isEqualTo(failed);
        }
        for (final KeyValue other : List.of(
            new KeyValue("k", "me", 4, 9, 2, 7),
            new KeyValue("k", "me", 10, 12, 1, 7),
            new KeyValue("k", "you", 4, 12, 3, 7)))
        {
            final LeasedKvReply failed = new LeasedKvReply.CompareFailed(other);
            assertThat(LeasedKvClient.ownWriteRecognised(update, failed)).as("update over %s", other)
                .isEqualTo(failed);
        }
        final LeasedKvReply absent = new LeasedKvReply.CompareFailed(null);
        assertThat(LeasedKvClient.ownWriteRecognised(update, absent)).isEqualTo(absent);
        final LeasedKvReply written = new LeasedKvReply.Written(15, null);
        assertThat(LeasedKvClient.ownWriteRecognised(create, written)).isEqualTo(written);
    }
}
