package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.ServerId;
import dev.ra.examples.support.Answered;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A delete never tells its caller that nothing was deleted when its own first attempt, whose outcome was unknown,
 * deleted the keys: the reply lists what was deleted, or the unknown outcome is reported.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeasedKvClientDeleteTest
{
    private static final Duration LAG = Duration.ofSeconds(1);

    @Test
    void aDeleteWhoseCommitOutlastsOneAttemptDoesNotReportThatNothingWasDeleted()
    {
        try (LeaseWorld world = new LeaseWorld(16))
        {
            final ToolboxCluster cluster = world.cluster();
            final ServerId leader = cluster.awaitLeader();
            final LeasedKvClient plain = world.clientOn(leader.node());
            plain.put("svc/a", "1");
            plain.put("svc/b", "2");
            plain.put("k", "v");
            final List<String> followers = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node()))
                .toList();
            final List<Object> outcomes = new ArrayList<>();
            // Every commit takes a LAG, longer than one attempt of a client on the leader's node.
            followers.forEach(f -> cluster.network().delay(f, leader.node(), LAG));
            try
            {
                final LeasedKvClient lagging = new LeasedKvClient(new ClusterClient(cluster.system(leader.node()),
                    cluster.members(), Duration.ofSeconds(30), Duration.ofMillis(200)));
                outcomes.add(outcome(() -> lagging.delete("k")));
                outcomes.add(outcome(() -> lagging.deletePrefix("svc/")));
            }
            finally
            {
                followers.forEach(f -> cluster.network().delay(f, leader.node(), Duration.ZERO));
            }

            assertThat(plain.range("")).isEmpty();
            assertThat(outcomes.get(0)).as("delete of k").satisfiesAnyOf(
                o -> assertThat(o).isInstanceOf(CommandOutcomeUnknownException.class),
                o -> assertThat(o).isInstanceOfSatisfying(LeasedKvReply.Deleted.class,
                    d -> assertThat(d.deleted()).extracting(KeyValue::key).containsExactly("k")));
            assertThat(outcomes.get(1)).as("delete of svc/").satisfiesAnyOf(
                o -> assertThat(o).isInstanceOf(CommandOutcomeUnknownException.class),
                o -> assertThat(o).isInstanceOfSatisfying(LeasedKvReply.Deleted.class,
                    d -> assertThat(d.deleted()).extracting(KeyValue::key).containsExactly("svc/a", "svc/b")));
        }
    }

    @Test
    void aReplyAfterAnAttemptWhoseOutcomeIsUnknownIsReportedAsAnUnknownOutcome()
    {
        final LeasedKvCommand.Delete delete = new LeasedKvCommand.Delete("k", false);

        assertThatThrownBy(() -> LeasedKvClient.deleted(delete,
            new Answered<>(new LeasedKvReply.Deleted(12, List.of()), true)))
            .isInstanceOf(CommandOutcomeUnknownException.class).hasMessageContaining("'k'")
            .hasMessageContaining("revision 12");
    }

    @Test
    void aReplyOfTheOnlyAttemptIsTheAnswer()
    {
        final LeasedKvReply.Deleted deleted = new LeasedKvReply.Deleted(5, List.of(new KeyValue("k", "v", 3, 3, 1, 0)));

        assertThat(LeasedKvClient.deleted(new LeasedKvCommand.Delete("k", false), new Answered<>(deleted, false)))
            .isSameAs(deleted);
    }

    private static Object outcome(final java.util.function.Supplier<Object> call)
    {
        try
        {
            return call.get();
        }
        catch (final CommandOutcomeUnknownException ex)
        {
            return ex;
        }
    }
}
