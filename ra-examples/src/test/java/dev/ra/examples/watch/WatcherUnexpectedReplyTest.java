package dev.ra.examples.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Watcher} whose registration or resume is answered with something that is no {@link WatchReply} (null from
 * a machine that does not take {@link WatchCommand.NumberedRegister} but let it into its log, as version 4 of the
 * leased KV answers one that reaches it): the watcher must say so, where it returned a watcher that never delivered
 * anything, or, on a resume, went on without its watch and told nobody.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatcherUnexpectedReplyTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRegistrationAnsweredWithNoWatchReplyFailsNamingWhatCameBack()
    {
        try (ToolboxCluster world = ToolboxCluster.start("watches", () -> new AnsweringNullAfter(0)))
        {
            final ClusterClient cluster = new ClusterClient(world.system("n1"), world.members());

            assertThatThrownBy(() -> Watcher.watch(cluster, "k/", 0, batch -> { }, compacted -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("watch registration")
                .hasMessageContaining("null");
        }
    }

    @Test
    void aResumeAnsweredWithNoWatchReplyEndsTheWatchAndTellsItsWatcher()
    {
        try (ToolboxCluster world = ToolboxCluster.start("watches", () -> new AnsweringNullAfter(1)))
        {
            final ClusterClient cluster = new ClusterClient(world.system("n1"), world.members());
            final AtomicReference<WatchReply.Refused> refused = new AtomicReference<>();

            try (Watcher watcher = Watcher.watch(cluster, "k/", 0, batch -> { }, compacted -> { }, refused::set))
            {
                InJvmCluster.await(() -> refused.get(), WAIT, "the watcher told its resume was not answered");
                assertThat(refused.get().watchId()).isEqualTo(watcher.watchId());
                assertThat(refused.get().reason()).contains("null");
            }
        }
    }

    /**
     * Answers the first registrations as a watch hub would, sending the watcher a {@link WatchNotification.Resync}
     * that asks for a resume, and every command after them with null.
     *
     * @param answered how many registrations are answered.
     */
    private record AnsweringNullAfter(long answered) implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long registrations)
        {
            final Object call = command instanceof WatchCommand.NumberedRegister numbered ? numbered.register() :
                command;
            if (call instanceof WatchCommand.Register register && registrations < answered)
            {
                return ApplyResult.of(registrations + 1, new WatchReply.Watching(register.watchId(), 1, 0),
                    new Effect.SendMsg(register.watcher(), new WatchNotification.Resync(register.watchId(), 5)));
            }
            return ApplyResult.of(registrations, null);
        }
    }
}
