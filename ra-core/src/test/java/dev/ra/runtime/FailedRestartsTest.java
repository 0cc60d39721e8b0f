package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.FailedRestart;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.KvMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stored server that cannot be restarted when its node starts (its machine is not registered, its configuration is
 * damaged) leaves the node running its other servers, and is listed with the reason by
 * {@link RaSystem#failedRestarts()} until it runs again or is deleted. It was only logged: the node looked healthy
 * while a member was missing from its cluster.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailedRestartsTest
{
    private static final ServerId HEALTHY = new ServerId("healthy", "a");
    private static final ServerId UNREGISTERED = new ServerId("unregistered", "a");
    private static final ServerId DAMAGED = new ServerId("damaged", "a");

    @Test
    void aStoredServerThatCannotRestartIsListedWithItsReasonUntilRestartedOrDeleted()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .registerMachine("kv-plugin", KvMachine::new).closeStorage(false).build())
            {
                first.startCluster("healthy", new KvMachine(), List.of(HEALTHY));
                first.startCluster("unregistered", "kv-plugin", List.of(UNREGISTERED));
                first.startCluster("damaged", new KvMachine(), List.of(DAMAGED));
            }
            final byte[] configuration = storedConfiguration(storage, DAMAGED);
            storeConfiguration(storage, DAMAGED, ofANewerRelease(configuration));

            // Upgraded without the plugin's machine, and one server's configuration damaged.
            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .closeStorage(false).build())
            {
                assertThat(second.isRunning(HEALTHY)).isTrue();
                final List<FailedRestart> failed = second.failedRestarts();
                assertThat(failed).extracting(FailedRestart::server).containsExactlyInAnyOrder(UNREGISTERED, DAMAGED);
                assertThat(reasonOf(failed, UNREGISTERED)).contains("kv-plugin", "node a");
                assertThat(reasonOf(failed, DAMAGED)).contains("damaged@a", "version 3");

                // Repaired (restored from a backup) and restarted: no longer listed.
                storeConfiguration(storage, DAMAGED, configuration);
                second.restartServer(DAMAGED);
                assertThat(second.isRunning(DAMAGED)).isTrue();
                assertThat(second.failedRestarts()).extracting(FailedRestart::server).containsExactly(UNREGISTERED);

                // Given up on: deleted, no longer listed.
                second.forceDeleteServer(UNREGISTERED);
                assertThat(second.failedRestarts()).isEmpty();
            }
        }
    }

    @Test
    void aFailedRestartServerIsListedAndAStoppedServerIsNot()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .registerMachine("kv-plugin", KvMachine::new).closeStorage(false).build())
            {
                first.startCluster("healthy", new KvMachine(), List.of(HEALTHY));
                first.startCluster("unregistered", "kv-plugin", List.of(UNREGISTERED));
            }
            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .restartStoredServers(false).build())
            {
                assertThat(second.failedRestarts()).isEmpty();
                second.restartServer(HEALTHY);
                second.stopServer(HEALTHY);
                try
                {
                    second.restartServer(UNREGISTERED);
                }
                catch (final RuntimeException expected)
                {
                    // The caller is told; the node remembers it too.
                }

                assertThat(second.failedRestarts()).extracting(FailedRestart::server).containsExactly(UNREGISTERED);
            }
        }
    }

    /** A machine whose {@code init} throws, as one that needs a resource this node lacks. */
    @Test
    void aStoredServerWhoseMachineInitThrowsIsListed()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .registerMachine("counter", CounterMachine::new).closeStorage(false).build())
            {
                first.startCluster("healthy", "counter", List.of(HEALTHY));
                first.startCluster("unregistered", "counter", List.of(UNREGISTERED));
            }
            final AtomicBoolean initFails = new AtomicBoolean(true);
            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .registerMachine("counter", () -> new InitFailingCounter(initFails)).build())
            {
                assertThat(second.failedRestarts()).isNotEmpty().allSatisfy(failed ->
                    assertThat(failed.reason()).contains("init needs a resource missing here"));

                initFails.set(false);
                second.restartServer(HEALTHY);
                second.restartServer(UNREGISTERED);
                assertThat(second.failedRestarts()).isEmpty();
            }
        }
    }

    /** A counter whose {@code init} throws while told to. */
    private static final class InitFailingCounter implements StateMachine<Long, Long>
    {
        private final CounterMachine counter = new CounterMachine();
        private final AtomicBoolean fails;

        InitFailingCounter(final AtomicBoolean fails)
        {
            this.fails = fails;
        }

        @Override
        public Long init(final InitArgs args)
        {
            if (fails.get())
            {
                throw new IllegalStateException("init needs a resource missing here");
            }
            return counter.init(args);
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long command, final Long state)
        {
            return counter.apply(meta, command, state);
        }

        @Override
        public Class<Long> commandType()
        {
            return counter.commandType();
        }
    }

    private static String reasonOf(final List<FailedRestart> failed, final ServerId server)
    {
        return failed.stream().filter(f -> f.server().equals(server)).findFirst().orElseThrow().reason();
    }

    private static byte[] storedConfiguration(final InMemoryStorage storage, final ServerId server)
    {
        try (ServerStorage stored = storage.open(server, new NoLogListener()))
        {
            return stored.meta().serverConfig();
        }
    }

    private static void storeConfiguration(final InMemoryStorage storage, final ServerId server, final byte[] bytes)
    {
        try (ServerStorage stored = storage.open(server, new NoLogListener()))
        {
            stored.meta().storeServerConfig(bytes);
        }
    }

    @SuppressWarnings("unchecked")
    private static byte[] ofANewerRelease(final byte[] configuration)
    {
        final List<Object> fields = new ArrayList<>((List<Object>)Codecs.generic().fromBytes(configuration));
        fields.set(0, 3);
        return Codecs.generic().toBytes(fields);
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
