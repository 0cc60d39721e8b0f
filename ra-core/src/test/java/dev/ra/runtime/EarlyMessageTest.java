package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.core.RaftEvent;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node routes to a new server as soon as it is registered, a moment before its start runs on its event loop; a
 * message that arrives in that moment (a new member's first AppendEntries from its leader, say) waits for the start.
 * Handled at once, it met a server without a core, and the newcomer stopped with a failure (seen once in a test that
 * adds members while commands flow).
 */
class EarlyMessageTest
{
    @Test
    void aMessageThatArrivesBeforeTheStartWaitsForIt() throws Exception
    {
        ServerRegistry.registeredForTests = process ->
        {
            // Arrives after the registration, before the start is handed to the loop; the loop is free to run it.
            process.enqueue(new RaftEvent.Tick());
            try
            {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        };
        try (InJvmNetwork network = new InJvmNetwork();
            RaSystem node = RaSystem.builder().nodeId("a").transport(network.newTransport())
                .storage(new InMemoryStorage()).build())
        {
            final ServerId member = new ServerId("early", "a");
            assertThat(node.startCluster("early", new CounterMachine(), List.of(member))).isEqualTo(member);
            ServerRegistry.registeredForTests = null;
            final CommandResult<Long> result = node.processCommand(member, 5L);
            assertThat(result.leader()).isEqualTo(member);
            assertThat(node.overview(member).role()).as("still running after the early message")
                .isEqualTo(RaftRole.LEADER);
        }
        finally
        {
            ServerRegistry.registeredForTests = null;
        }
    }
}
