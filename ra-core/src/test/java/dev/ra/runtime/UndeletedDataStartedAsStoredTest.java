package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data that a cluster's deletion could not delete is never restarted while the node runs: restartLocalServer refuses
 * it. But the runtime's other way to restart a stored server, {@code startLocalServer(..., isNew false)}, skipped that
 * check and ran the deleted cluster's member again from that data.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UndeletedDataStartedAsStoredTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ServerId MEMBER = new ServerId("kv", "a");

    @Test
    void dataADeletionCouldNotDeleteIsNotStartedAsAStoredServer() throws Exception
    {
        final AtomicBoolean readOnly = new AtomicBoolean();
        final ForwardingStorage storage = new ForwardingStorage(new InMemoryStorage())
        {
            @Override
            public void delete(final ServerId id)
            {
                if (readOnly.get())
                {
                    throw new IllegalStateException("cannot delete " + id + "'s data: the disk is read-only");
                }
                super.delete(id);
            }
        };
        try (InJvmNetwork network = new InJvmNetwork();
            RaRuntime node = new RaRuntime(new RuntimeConfig("a", network.newTransport(), storage, 1,
                Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true)))
        {
            node.start();
            node.startLocalServer("kv", CounterMachine.class.getName(), new CounterMachine(), MEMBER,
                List.of(MEMBER), true, JoinPoint.NONE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            node.call(MEMBER, new ServerRequest.TriggerElection(), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            node.awaitLeader(MEMBER, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            readOnly.set(true);
            node.deleteCluster(MEMBER, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (int i = 0; i < 3_000 && node.isRunning(MEMBER); i++)
            {
                Thread.sleep(10);
            }
            assertThat(node.isRunning(MEMBER)).as("applied the deletion").isFalse();
            assertThat(storage.exists(MEMBER)).as("its data, not deletable").isTrue();

            assertThatThrownBy(() -> node.startLocalServer("kv", CounterMachine.class.getName(), new CounterMachine(),
                MEMBER, List.of(MEMBER), false, JoinPoint.NONE).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("could not be deleted");
            assertThat(node.isRunning(MEMBER)).as("the deleted cluster's member runs").isFalse();
        }
        finally
        {
            storage.close();
        }
    }
}
