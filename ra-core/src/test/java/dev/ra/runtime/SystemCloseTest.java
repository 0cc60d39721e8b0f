package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A system that owns its storage closes it even when closing the rest fails.
 */
class SystemCloseTest
{
    /**
     * A transport whose close threw left the storage open: a file storage's WAL without its clean end and its data
     * directory locked for any later start in the same JVM.
     */
    @Test
    void theStorageIsClosedWhenClosingTheTransportFails()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final InMemoryStorage memory = new InMemoryStorage();
            final AtomicInteger closes = new AtomicInteger();
            final Storage storage = new Storage()
            {
                @Override
                public ServerStorage open(final ServerId id, final LogListener listener)
                {
                    return memory.open(id, listener);
                }

                @Override
                public boolean exists(final ServerId id)
                {
                    return memory.exists(id);
                }

                @Override
                public List<ServerId> servers()
                {
                    return memory.servers();
                }

                @Override
                public void delete(final ServerId id)
                {
                    memory.delete(id);
                }

                @Override
                public void close()
                {
                    closes.incrementAndGet();
                    memory.close();
                }
            };
            final RaSystem system = RaSystem.builder().nodeId("n1").storage(storage)
                .transport(new ForwardingTransport(network.newTransport())
                {
                    @Override
                    public void close()
                    {
                        super.close();
                        throw new IllegalStateException("transport close failed on purpose");
                    }
                }).build();

            assertThatThrownBy(system::close).hasMessage("transport close failed on purpose");

            assertThat(closes).as("storage closes").hasValue(1);
        }
    }
}
