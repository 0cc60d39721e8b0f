package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.CommandResult;
import dev.ra.InitArgs;
import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverloadedException;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An application thread on the leader's own node that submits commands faster than the leader's event loop takes
 * them from its mailbox (here: the loop is held in a slow {@code apply}) must be refused at the call once the commands
 * queued and not yet taken reach {@code RaSystemBuilder.maxUncommittedBytes}, with the same
 * {@link ServerOverloadedException} the leader gives, rather than fill the mailbox until the node runs out of heap.
 * Counted, not timed: while the loop is held nothing is taken, so every call past the limit must already be refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FloodedMailboxTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long LIMIT = 8 * 1024;
    private static final int CALLS = 5_000;
    /** Eight bytes of an encoded long and the 64 counted for its entry and caller. */
    private static final long BYTES_PER_COMMAND = 8 + 64;
    private static final long HOLD = -1L;

    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final InJvmCluster cluster = new InJvmCluster(2, b -> b
        .registerMachine("held", () -> new HeldMachine(holding, release))
        .maxUncommittedBytes(LIMIT));

    @AfterEach
    void close()
    {
        release.countDown();
        cluster.close();
    }

    @Test
    void callsPastTheLimitAreRefusedAtTheCallWhileTheLoopTakesNothing() throws Exception
    {
        final RaSystem node = cluster.system("n1");
        final ServerId leader = new ServerId("c", "n1");
        node.startCluster("c", "held", List.of(leader));
        cluster.awaitLeader(List.of(leader), WAIT);
        node.pipelineCommand(leader, HOLD);
        assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the loop held in apply").isTrue();

        final List<CompletableFuture<CommandResult<Long>>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++)
        {
            calls.add(node.processCommandAsync(leader, 1L, WAIT));
        }
        final long waiting = calls.stream().filter(call -> !call.isDone()).count();
        final long mostHeld = LIMIT / BYTES_PER_COMMAND + 1;
        assertThat(waiting).as("calls queued in the mailbox of a loop that takes nothing (at most %d fit the limit)",
            mostHeld).isLessThanOrEqualTo(mostHeld);
        final CompletableFuture<CommandResult<Long>> refused = calls.get(CALLS - 1);
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((r, failure) -> failure).get()).isInstanceOf(ServerOverloadedException.class)
            .hasMessageContaining(leader.toString()).hasMessageContaining("RaSystemBuilder.maxUncommittedBytes");

        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess process = node.spawn(events::add);
        for (int i = 0; i < CALLS; i++)
        {
            node.pipelineCommand(leader, 1L, "p" + i, process.ref());
        }
        final Object event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(event).as("a pipelining process told of a refusal while the loop takes nothing")
            .isInstanceOf(RaEvent.Applied.class);
        assertThat(((RaEvent.Applied)event).applied().get(0).reply()).isInstanceOf(ServerOverloadedException.class);

        release.countDown();
        // What was queued is taken and applied; the node takes commands again.
        InJvmCluster.await(() -> node.<Long>processCommand(leader, 0L, WAIT).reply() > 0L, WAIT,
            "commands taken once the loop runs again");
    }

    @Test
    void callsFromAnotherNodePastTheLimitAreRefusedWhileTheLoopTakesNothing() throws Exception
    {
        final RaSystem node = cluster.system("n1");
        final ServerId leader = new ServerId("c", "n1");
        node.startCluster("c", "held", List.of(leader));
        cluster.awaitLeader(List.of(leader), WAIT);
        final RaSystem client = cluster.system("n2");
        client.registerCluster("c", new HeldMachine(holding, release), List.of(leader));
        node.pipelineCommand(leader, HOLD);
        assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the loop held in apply").isTrue();

        final List<CompletableFuture<CommandResult<Long>>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++)
        {
            calls.add(client.processCommandAsync(leader, 1L, WAIT));
        }
        final long mostHeld = LIMIT / BYTES_PER_COMMAND + 1;
        InJvmCluster.await(() -> calls.stream().filter(call -> !call.isDone()).count() <= mostHeld, WAIT,
            "calls from another node past the limit refused while the loop takes nothing");
        final CompletableFuture<CommandResult<Long>> refused = calls.get(CALLS - 1);
        assertThat(refused.handle((r, failure) -> failure).get()).isInstanceOf(ServerOverloadedException.class)
            .hasMessageContaining(leader.toString()).hasMessageContaining("RaSystemBuilder.maxUncommittedBytes");
        release.countDown();
    }

    /** Adds amounts; the command {@link #HOLD} holds the loop in {@code apply} until released. */
    private static final class HeldMachine implements StateMachine<Long, Long>
    {
        private final CountDownLatch holding;
        private final CountDownLatch release;

        HeldMachine(final CountDownLatch holding, final CountDownLatch release)
        {
            this.holding = holding;
            this.release = release;
        }

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            if (HOLD == amount)
            {
                holding.countDown();
                try
                {
                    release.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
                return ApplyResult.of(state, state);
            }
            return ApplyResult.of(state + amount, state + amount);
        }

        @Override
        public Class<Long> commandType()
        {
            return Long.class;
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }
}
