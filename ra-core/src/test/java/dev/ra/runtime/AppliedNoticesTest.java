package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.protocol.NodeMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A step's notifications to a process on another node go in as many notices as the transport's limit needs: one
 * notice for all of them could exceed it and be dropped whole, leaving the process never to hear of any of its
 * commands.
 */
class AppliedNoticesTest
{
    private static final ProcessRef CLIENT = new ProcessRef("n2", 7);
    private static final ServerId LEADER = new ServerId("kv", "n1");
    private static final Codec<Object> CODEC = Codecs.generic();

    @Test
    void notificationsThatTogetherExceedTheLimitAreSplitAndNoneIsLost()
    {
        final int limit = 16 * 1024;
        final List<RaEvent.Correlated> applied = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            applied.add(new RaEvent.Correlated(i, "r".repeat(3000)));
        }

        final List<NodeMessage.AppliedNotice> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied, limit);

        assertThat(notices).hasSizeGreaterThan(1);
        final List<Object> correlations = new ArrayList<>();
        for (final NodeMessage.AppliedNotice notice : notices)
        {
            assertThat(notice.replies().stream().mapToLong(Bytes::length).sum()).isLessThanOrEqualTo(limit / 2);
            correlations.addAll(notice.correlations());
        }
        assertThat(correlations).hasSize(40).isSorted();
    }

    @Test
    void aReplyTooLargeForAnyMessageIsLeftOutAndTheOthersGo()
    {
        final List<RaEvent.Correlated> applied = List.of(new RaEvent.Correlated("a", "small"),
            new RaEvent.Correlated("b", "x".repeat(20_000)), new RaEvent.Correlated("c", "small too"));

        final List<NodeMessage.AppliedNotice> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied, 16 * 1024);

        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).correlations()).containsExactly("a", "c");
    }

    @Test
    void withoutALimitEverythingGoesInOneNotice()
    {
        final List<RaEvent.Correlated> applied = List.of(new RaEvent.Correlated(1, "one"),
            new RaEvent.Correlated(2, "two"));

        final List<NodeMessage.AppliedNotice> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied,
            Integer.MAX_VALUE);

        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).correlations()).containsExactly(1, 2);
    }
}
