package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.TransportListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A system owns the transport and the storage it is built with. A build that fails hands no system back to close
 * them, so it closes what it was given itself (the storage unless {@code closeStorage(false)}): the tutorial's node,
 * built with its storage inline, would otherwise hold its data directory's lock and threads for the rest of the JVM,
 * and the next start on that directory, once the cause is fixed, would fail.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailedBuildTest
{
    private final InJvmNetwork network = new InJvmNetwork();
    private final AtomicInteger storageCloses = new AtomicInteger();
    private final AtomicInteger transportCloses = new AtomicInteger();

    @AfterEach
    void close()
    {
        network.close();
    }

    private ForwardingStorage storage(final boolean failsToList)
    {
        return new ForwardingStorage(new InMemoryStorage())
        {
            @Override
            public List<ServerId> servers()
            {
                if (failsToList)
                {
                    throw new IllegalStateException("cannot list the servers: disk on fire");
                }
                return super.servers();
            }

            @Override
            public void close()
            {
                storageCloses.incrementAndGet();
                super.close();
            }
        };
    }

    private ForwardingTransport transport(final boolean failsToStart)
    {
        return new ForwardingTransport(network.newTransport())
        {
            @Override
            public void start(final String localNode, final TransportListener listener)
            {
                if (failsToStart)
                {
                    throw new RaException("node " + localNode + " cannot listen on 127.0.0.1:7001: address in use");
                }
                super.start(localNode, listener);
            }

            @Override
            public void close()
            {
                transportCloses.incrementAndGet();
                super.close();
            }
        };
    }

    @Test
    void aTransportThatCannotStartClosesTheStorageItWasGiven()
    {
        assertThatThrownBy(() -> RaSystem.builder().nodeId("n1").transport(transport(true)).storage(storage(false))
            .build()).isInstanceOf(RaException.class).hasMessageContaining("address in use");

        assertThat(storageCloses).hasValue(1);
        assertThat(transportCloses).hasValue(1);
    }

    @Test
    void storedServersThatCannotBeListedCloseTheTransportAndTheStorage()
    {
        assertThatThrownBy(() -> RaSystem.builder().nodeId("n1").transport(transport(false)).storage(storage(true))
            .build()).hasMessageContaining("disk on fire");

        assertThat(transportCloses).as("the transport listened already").hasValue(1);
        assertThat(storageCloses).hasValue(1);
    }

    @Test
    void settingsThatDisagreeCloseTheTransportAndTheStorage()
    {
        final RaSystemBuilder disagreeing = RaSystem.builder().nodeId("n1").transport(transport(false))
            .storage(storage(false)).electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
            .commitNoticeDelay(Duration.ofMillis(150));

        assertThatThrownBy(disagreeing::build).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("commit notice delay");

        assertThat(storageCloses).hasValue(1);
        assertThat(transportCloses).hasValue(1);
    }

    @Test
    void aStorageKeptOpenByTheCallerStaysOpenWhenTheBuildFails()
    {
        assertThatThrownBy(() -> RaSystem.builder().nodeId("n1").transport(transport(true)).storage(storage(false))
            .closeStorage(false).build()).isInstanceOf(RaException.class);

        assertThat(storageCloses).hasValue(0);
    }
}
