package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.Transport;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.TransportFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshots and restarts in the runtime: cases found in review.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SnapshotReviewTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A frame limit as a Netty transport configured with {@code maxFrameBytes(64 KiB)} has. */
    private static final int FRAME_LIMIT = 64 << 10;

    /**
     * The in-JVM transport with a frame limit: like the Netty transport, it drops (and counts) a message over its
     * {@link #maxMessageBytes()}. Only snapshot chunks are measured: the other messages of this test are far smaller.
     */
    private static final class FrameLimitedTransport extends ForwardingTransport
    {
        private final AtomicInteger dropped;

        FrameLimitedTransport(final Transport delegate, final AtomicInteger dropped)
        {
            super(delegate);
            this.dropped = dropped;
        }

        @Override
        public int maxMessageBytes()
        {
            return FRAME_LIMIT;
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            if (message instanceof NodeMessage.RaftMessage raft &&
                raft.rpc() instanceof RaftRpc.InstallSnapshotRpc install && install.chunk().length() > FRAME_LIMIT)
            {
                dropped.incrementAndGet();
                return;
            }
            super.send(node, message);
        }
    }

    /**
     * A snapshot is sent in chunks of a fixed 1 MB ({@code CoreConfig.defaults}), whatever the transport's message
     * limit: the runtime bounds commands and AppendEntries by half of {@code Transport.maxMessageBytes()}, but not the
     * snapshot chunks (ServerRegistry never sets {@code snapshotChunkBytes}). On a transport whose frame limit is
     * below 1 MB, every chunk of a snapshot larger than the limit is dropped, each time it is resent, and a follower
     * that needs the snapshot never catches up. Right: chunks fit the transport's limit, like AppendEntries.
     */
    @Test
    void snapshotChunksFitTheTransportsMessageLimit()
    {
        final InJvmNetwork network = new InJvmNetwork();
        final AtomicInteger dropped = new AtomicInteger();
        final TransportFactory transports = new TransportFactory()
        {
            @Override
            public Transport newTransport(final String node)
            {
                return new FrameLimitedTransport(network.newTransport(), dropped);
            }

            @Override
            public void close()
            {
                network.close();
            }
        };
        try (InJvmCluster cluster = new InJvmCluster(3, transports, b -> b.minSnapshotInterval(10)
            .registerMachine("kv-snap", () -> new KvMachine(20))))
        {
            final List<ServerId> members = cluster.serverIds("kv");
            final ServerId leader = cluster.first().startCluster("kv", "kv-snap", members);
            final ServerId laggard = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem leaderNode = cluster.system(leader);
            cluster.system(laggard).stopServer(laggard);

            // 1 KiB values: the state (about 200 KiB) is larger than the frame limit, each command far below it.
            final String value = "v".repeat(1024);
            final int keys = 200;
            for (int i = 0; i < keys; i++)
            {
                leaderNode.processCommand(leader, new KvMachine.Put("k" + i, value));
            }
            InJvmCluster.await(() -> leaderNode.overview(leader).snapshotIndex() >= 150, WAIT,
                "the leader to take a snapshot");
            cluster.system(laggard).restartServer(laggard);

            final boolean caughtUp = awaitOrFalse(() -> cluster.system(laggard)
                .<Map<String, String>, Map<String, String>>localQuery(laggard, x -> x).result().size() == keys);
            assertThat(dropped.get()).as("snapshot chunks sent over the frame limit (dropped)").isZero();
            assertThat(caughtUp).as("the laggard caught up from the snapshot").isTrue();
        }
    }

    /**
     * @return whether the condition held within {@link #WAIT}.
     */
    private static boolean awaitOrFalse(final java.util.function.BooleanSupplier condition)
    {
        try
        {
            InJvmCluster.await(() -> condition.getAsBoolean(), WAIT, "the condition");
            return true;
        }
        catch (final AssertionError timedOut)
        {
            return false;
        }
    }
}
