package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.FailedRestart;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.KvMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server's stored configuration holds plain values only (a version, names, member ids, two numbers), yet it was
 * read with the unrestricted generic codec: a damaged (or planted) configuration naming a record class had the node
 * construct it when it restarted the server. Right: it is read with the plain-values codec, which refuses the class
 * before loading it, and the server is listed as a failed restart naming it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoredConfigurationClassesTest
{
    private static final ServerId SERVER = new ServerId("stored", "a");

    /** Constructions of the record below. */
    static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    /** A record on the node's class path that nothing there uses. */
    record Tripwire(String value)
    {
        Tripwire
        {
            CONSTRUCTED.incrementAndGet();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStoredConfigurationNamingARecordClassBuildsNoneAndTheServerIsListedAsFailed()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .closeStorage(false).build())
            {
                first.startCluster("stored", new KvMachine(), List.of(SERVER));
            }
            final byte[] valid = storedConfiguration(storage);
            final List<Object> fields = new ArrayList<>((List<Object>)RemoteOrigin.PLAIN_VALUES.fromBytes(valid));
            assertThat(Codecs.generic().toBytes(fields)).as("plain values, written as the generic codec wrote them")
                .isEqualTo(valid);
            fields.set(2, new Tripwire("planted"));
            storeConfiguration(storage, Codecs.generic().toBytes(fields));
            CONSTRUCTED.set(0);

            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .closeStorage(false).build())
            {
                assertThat(CONSTRUCTED).as("constructions of the record the stored bytes named").hasValue(0);
                assertThat(second.failedRestarts()).extracting(FailedRestart::server).containsExactly(SERVER);
                assertThat(second.failedRestarts().get(0).reason()).contains(Tripwire.class.getName());

                storeConfiguration(storage, valid);
                second.restartServer(SERVER);
                assertThat(second.isRunning(SERVER)).isTrue();
            }
        }
    }

    private static byte[] storedConfiguration(final InMemoryStorage storage)
    {
        try (ServerStorage stored = storage.open(SERVER, new NoLogListener()))
        {
            return stored.meta().serverConfig();
        }
    }

    private static void storeConfiguration(final InMemoryStorage storage, final byte[] bytes)
    {
        try (ServerStorage stored = storage.open(SERVER, new NoLogListener()))
        {
            stored.meta().storeServerConfig(bytes);
        }
    }

    /** Ignores what the log reports: the test writes no entry. */
    private static final class NoLogListener implements LogListener
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    }
}
