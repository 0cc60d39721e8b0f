package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.LoopHost;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.CounterMachine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A build that fails after the system started its threads and its transport (the storage cannot list its servers,
 * the transport refuses to lend its threads) stops them all before it throws, so that the application can build again
 * with the same node id: nothing it cannot reach is left running, attached or listening. A build given a transport
 * another system runs on fails without touching that transport.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailedBuildReleasesTest
{
    @Test
    void aStorageThatCannotListItsServersLeavesNoThreadAndTheNodeCanBeBuiltAgain() throws Exception
    {
        final String node = "unlisted";
        try (InJvmNetwork network = new InJvmNetwork())
        {
            assertThatThrownBy(() -> RaSystem.builder().nodeId(node).transport(network.newTransport())
                .storage(new UnlistableStorage()).build())
                .hasMessageContaining("cannot list the stored servers");

            awaitNoThreadOf(node);
            assertThat(threadsOf(node)).isEmpty();
            assertThat(network.nodes()).doesNotContain(node);
            try (RaSystem again = RaSystem.builder().nodeId(node).transport(network.newTransport())
                .storage(new InMemoryStorage()).build())
            {
                assertThat(again.nodeId()).isEqualTo(node);
            }
        }
    }

    @Test
    void aTransportThatCannotLendItsThreadsLeavesNoThread() throws Exception
    {
        final String node = "unlent";
        try (InJvmNetwork network = new InJvmNetwork())
        {
            assertThatThrownBy(() -> RaSystem.builder().nodeId(node)
                .transport(new NoThreadsToLend(network.newTransport())).storage(new InMemoryStorage()).build())
                .hasMessageContaining("was closed");

            awaitNoThreadOf(node);
            assertThat(threadsOf(node)).isEmpty();
        }
    }

    @Test
    void aTransportGivenToASecondSystemIsRefusedAndTheFirstSystemKeepsIt()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final Transport shared = network.newTransport();
            try (RaSystem first = RaSystem.builder().nodeId("first").transport(shared).storage(new InMemoryStorage())
                .build())
            {
                // A builder copied from the first node's, with only the node id changed.
                assertThatThrownBy(() -> RaSystem.builder().nodeId("second").transport(shared)
                    .storage(new InMemoryStorage()).build())
                    .hasMessageContaining("second").hasMessageContaining("first");

                assertThat(network.nodes()).as("nodes on the network").contains("first");
                final ServerId member = new ServerId("counter", "first");
                first.startCluster("counter", new CounterMachine(), List.of(member));
                assertThat(first.<Long>processCommand(member, 2L).reply()).isEqualTo(2L);
            }
        }
    }

    @Test
    void aBuildRefusedTheStorageOfARunningSystemClosesTheTransportItWasGiven()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final Storage shared = new InMemoryStorage();
            try (RaSystem first = RaSystem.builder().nodeId("first").transport(network.newTransport()).storage(shared)
                .build())
            {
                final ClosingRecorded given = new ClosingRecorded(network.newTransport());
                assertThatThrownBy(() -> RaSystem.builder().nodeId("second").transport(given).storage(shared).build())
                    .hasMessageContaining("storage of node first");

                assertThat(given.closed).as("the given transport closed").isTrue();
                final ServerId member = new ServerId("counter", "first");
                first.startCluster("counter", new CounterMachine(), List.of(member));
                assertThat(first.<Long>processCommand(member, 2L).reply()).isEqualTo(2L);
            }
        }
    }

    private static void awaitNoThreadOf(final String node) throws InterruptedException
    {
        // Threads end asynchronously after being told to stop: wait for them, boundedly.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!threadsOf(node).isEmpty() && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(20);
        }
    }

    private static List<String> threadsOf(final String node)
    {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
            .filter(name -> name.contains("-" + node + "-")).toList();
    }

    /** Storage whose directory of servers cannot be read (permissions, a damaged disk). */
    private static final class UnlistableStorage implements Storage
    {
        private final InMemoryStorage stored = new InMemoryStorage();

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            return stored.open(id, listener);
        }

        @Override
        public boolean exists(final ServerId id)
        {
            return stored.exists(id);
        }

        @Override
        public List<ServerId> servers()
        {
            throw new IllegalStateException("cannot list the stored servers");
        }

        @Override
        public void delete(final ServerId id)
        {
            stored.delete(id);
        }

        @Override
        public void close()
        {
            stored.close();
        }
    }

    /** A transport that lends threads and was closed, as a Netty transport given to a build that failed before. */
    private record NoThreadsToLend(Transport transport) implements Transport
    {
        @Override
        public List<LoopHost> loopHosts(final String localNode, final int wanted)
        {
            throw new IllegalStateException("the transport of node " + localNode + " was closed");
        }

        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            transport.start(localNode, listener);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            transport.send(node, message);
        }

        @Override
        public boolean isReachable(final String node)
        {
            return transport.isReachable(node);
        }

        @Override
        public void close()
        {
            transport.close();
        }
    }

    /** A transport that tells whether it was closed. */
    private static final class ClosingRecorded implements Transport
    {
        private final Transport transport;
        private volatile boolean closed;

        ClosingRecorded(final Transport transport)
        {
            this.transport = transport;
        }

        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            transport.start(localNode, listener);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            transport.send(node, message);
        }

        @Override
        public boolean isReachable(final String node)
        {
            return transport.isReachable(node);
        }

        @Override
        public void close()
        {
            closed = true;
            transport.close();
        }
    }
}
