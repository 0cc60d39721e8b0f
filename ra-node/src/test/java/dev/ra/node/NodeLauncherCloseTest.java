package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.protocol.NodeMessage;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a node closes its storage even when closing its system fails, so that the WAL is closed cleanly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLauncherCloseTest
{
    /**
     * A system whose close threw (here its transport's) left the node's storage open: the WAL was not closed with its
     * end marker, and the data directory's lock stayed held for any later start in the same JVM.
     */
    @Test
    void theStorageIsClosedWhenClosingTheSystemFails()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final CountingStorage storage = new CountingStorage();
            final RaSystem system = RaSystem.builder().nodeId("n1").transport(new FailingClose(network.newTransport()))
                .storage(storage).closeStorage(false).build();
            final NettyTransport unused = new NettyTransport(NettyTransportConfig.builder().clusterId("close")
                .listenAddress(new InetSocketAddress("127.0.0.1", 0)).build());
            final NodeLauncher node = new NodeLauncher(unused, storage, system);

            assertThatThrownBy(node::close).hasMessage("transport close failed on purpose");

            assertThat(storage.closes).as("storage closes").hasValue(1);
        }
    }

    /** A storage that counts its closes. */
    private static final class CountingStorage implements Storage
    {
        private final InMemoryStorage delegate = new InMemoryStorage();
        private final AtomicInteger closes = new AtomicInteger();

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            return delegate.open(id, listener);
        }

        @Override
        public boolean exists(final ServerId id)
        {
            return delegate.exists(id);
        }

        @Override
        public List<ServerId> servers()
        {
            return delegate.servers();
        }

        @Override
        public void delete(final ServerId id)
        {
            delegate.delete(id);
        }

        @Override
        public void close()
        {
            closes.incrementAndGet();
            delegate.close();
        }
    }

    /** A transport whose close throws once it has closed. */
    private record FailingClose(Transport delegate) implements Transport
    {
        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            delegate.start(localNode, listener);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            delegate.send(node, message);
        }

        @Override
        public boolean isReachable(final String node)
        {
            return delegate.isReachable(node);
        }

        @Override
        public void close()
        {
            delegate.close();
            throw new IllegalStateException("transport close failed on purpose");
        }
    }
}
