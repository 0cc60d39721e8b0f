package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandFailedException;
import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.protocol.FailedCommand;
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

        final List<NodeMessage.AppliedNotice> notices = applied(AppliedNotices.of(CLIENT, LEADER, CODEC, applied,
            limit, true));

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

        final List<NodeMessage.AppliedNotice> notices = applied(AppliedNotices.of(CLIENT, LEADER, CODEC, applied,
            16 * 1024, false));

        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).correlations()).containsExactly("a", "c");
    }

    @Test
    void aReplyThatCannotBeSentIsToldOfInItsPlaceWhereTheNodeTakesIt()
    {
        final List<RaEvent.Correlated> applied = List.of(new RaEvent.Correlated("a", "small"),
            new RaEvent.Correlated("b", "x".repeat(20_000)), new RaEvent.Correlated("c", new Object()));

        final List<NodeMessage> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied, 16 * 1024, true);

        assertThat(notices).hasSize(2);
        assertThat(((NodeMessage.AppliedNotice)notices.get(0)).correlations()).containsExactly("a");
        final List<FailedCommand> failures = ((NodeMessage.FailedNotice)notices.get(1)).failures();
        assertThat(failures).extracting(FailedCommand::correlation, FailedCommand::kind).containsExactly(
            org.assertj.core.groups.Tuple.tuple("b", FailedCommand.Kind.REPLY_NOT_SENT),
            org.assertj.core.groups.Tuple.tuple("c", FailedCommand.Kind.REPLY_NOT_SENT));
        assertThat(failures.get(0).message()).contains("exceeds the transport's message limit of 16384 bytes");
        assertThat(failures.get(1).message()).contains("java.lang.Object").contains("cannot be encoded");
        assertThat(CommandFailures.notificationOf(LEADER, failures.get(0)).reply()).isInstanceOfSatisfying(
            RaException.class, e -> assertThat(e.getMessage()).startsWith("the command was applied by " + LEADER +
                " but its reply cannot be sent back: the reply of"));
    }

    @Test
    void withoutALimitEverythingGoesInOneNotice()
    {
        final List<RaEvent.Correlated> applied = List.of(new RaEvent.Correlated(1, "one"),
            new RaEvent.Correlated(2, "two"));

        final List<NodeMessage.AppliedNotice> notices = applied(AppliedNotices.of(CLIENT, LEADER, CODEC, applied,
            Integer.MAX_VALUE, true));

        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).correlations()).containsExactly(1, 2);
    }

    @Test
    void failuresGoAsFailedNoticesInTheOrderTheyWereMadeWithTheExceptionsData()
    {
        final List<RaEvent.Correlated> applied = List.of(new RaEvent.Correlated("a", "one"),
            new RaEvent.Correlated("b", new CommandFailedException("x.Boom", "boom", 12)),
            new RaEvent.Correlated("c", new InvalidCommandException("not a String")),
            new RaEvent.Correlated("d", "two"));

        final List<NodeMessage> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied, 16 * 1024, true);

        assertThat(notices).hasSize(3);
        assertThat(((NodeMessage.AppliedNotice)notices.get(0)).correlations()).containsExactly("a");
        assertThat(((NodeMessage.FailedNotice)notices.get(1)).failures()).containsExactly(
            new FailedCommand("b", FailedCommand.Kind.APPLY_THREW, "x.Boom", "boom", 12),
            new FailedCommand("c", FailedCommand.Kind.REFUSED, null, "not a String", 0));
        assertThat(((NodeMessage.AppliedNotice)notices.get(2)).correlations()).containsExactly("d");
        final List<RaEvent.Correlated> received = new ArrayList<>();
        ((NodeMessage.FailedNotice)notices.get(1)).failures().forEach(f -> received.add(
            CommandFailures.notificationOf(LEADER, f)));
        assertThat(received.get(0).reply()).isInstanceOfSatisfying(CommandFailedException.class, failed ->
            assertThat(failed).hasMessage("boom").extracting(CommandFailedException::exceptionClass,
                CommandFailedException::index).containsExactly("x.Boom", 12L));
        assertThat(received.get(1).reply()).isInstanceOfSatisfying(InvalidCommandException.class, refused ->
            assertThat(refused).hasMessage("not a String"));
    }

    @Test
    void aNodeThatTakesNoFailedNoticeIsSentTheRepliesOnly()
    {
        final List<RaEvent.Correlated> applied = List.of(new RaEvent.Correlated("a", "one"),
            new RaEvent.Correlated("b", new CommandFailedException("x.Boom", "boom", 12)),
            new RaEvent.Correlated("c", "two"));

        final List<NodeMessage> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied, 16 * 1024, false);

        assertThat(notices).hasOnlyElementsOfType(NodeMessage.AppliedNotice.class);
        assertThat(applied(notices).stream().flatMap(n -> n.correlations().stream())).containsExactly("a", "c");
    }

    @Test
    void aFailureWhoseMessageExceedsTheLimitIsCutToFitAndStillGoes()
    {
        final int limit = 16 * 1024;
        final List<RaEvent.Correlated> applied = List.of(
            new RaEvent.Correlated("b", new CommandFailedException("x.Boom", "m".repeat(100_000), 12)));

        final List<NodeMessage> notices = AppliedNotices.of(CLIENT, LEADER, CODEC, applied, limit, true);

        assertThat(notices).hasSize(1);
        final FailedCommand failure = ((NodeMessage.FailedNotice)notices.get(0)).failures().get(0);
        assertThat(CommandFailures.textBytes(failure)).isLessThanOrEqualTo(limit / 2);
        assertThat(failure.message()).startsWith("mmm").endsWith("chars cut)");
        assertThat(failure.exceptionClass()).isEqualTo("x.Boom");
    }

    private static List<NodeMessage.AppliedNotice> applied(final List<NodeMessage> notices)
    {
        final List<NodeMessage.AppliedNotice> applied = new ArrayList<>();
        for (final NodeMessage notice : notices)
        {
            applied.add((NodeMessage.AppliedNotice)notice);
        }
        return applied;
    }
}
