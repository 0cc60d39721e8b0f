package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application closes its node from a process handler, which runs on the node's default process executor: the close
 * stops that executor, and must neither leave the handler's thread interrupted nor, interrupted itself, close the
 * storage without waiting for its WAL writer and segment writer. Nor may a caller interrupted before it calls close
 * make the close give up on those waits; it keeps its interrupt.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseFromProcessHandlerTest
{
    private static final ServerId MEMBER = new ServerId("counter", "n1");

    @TempDir
    Path dir;

    private final InJvmNetwork network = new InJvmNetwork();

    @AfterEach
    void closeNetwork()
    {
        network.close();
    }

    private FileStorage storage;

    private RaSystem node()
    {
        storage = FileStorage.builder().directory(dir).build();
        return RaSystem.builder().nodeId("n1").transport(network.newTransport()).storage(storage)
            .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).build();
    }

    @Test
    void aCloseFromAProcessHandlerClosesTheStorageCleanlyAndLeavesTheHandlerUninterrupted() throws Exception
    {
        final RaSystem node = node();
        node.startCluster("counter", new Counter(), List.of(MEMBER));
        node.processCommand(MEMBER, 1L);
        final CompletableFuture<Boolean> interruptedAfterClose = new CompletableFuture<>();
        final RaProcess process = node.spawn(message ->
        {
            node.close();
            interruptedAfterClose.complete(Thread.currentThread().isInterrupted());
        });

        node.send(process.ref(), "close the node");

        assertThat(interruptedAfterClose.get()).as("the handler's thread interrupted by the close").isFalse();
        assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).as("storage closed cleanly").isTrue();
    }

    @Test
    void aCloseByAnInterruptedThreadClosesTheStorageCleanlyAndKeepsTheInterrupt()
    {
        final RaSystem node = node();
        node.startCluster("counter", new Counter(), List.of(MEMBER));
        node.processCommand(MEMBER, 1L);

        // As a worker told to stop by an interrupt closes what it opened on its way out.
        Thread.currentThread().interrupt();
        node.close();
        final boolean interruptKept = Thread.interrupted();

        assertThat(interruptKept).as("the caller's interrupt kept").isTrue();
        assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).as("storage closed cleanly").isTrue();
    }

    /** Adds the amounts it is given. */
    public static final class Counter implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
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
