package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.CounterMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage serves one node: a build given the storage of a running system (a builder copied from that node's, with
 * the node id and the transport changed) fails naming both nodes, rather than run on it and close it, under the
 * running node's servers, when it closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedStorageBuildTest
{
    @TempDir
    Path dir;

    @Test
    void aStorageGivenToASecondSystemIsRefusedAndTheFirstSystemKeepsIt()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final FileStorage shared = FileStorage.builder().directory(dir).build();
            try (RaSystem first = RaSystem.builder().nodeId("first").transport(network.newTransport())
                .storage(shared).electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).build())
            {
                final ServerId member = new ServerId("counter", "first");
                first.startCluster("counter", new CounterMachine(), List.of(member));
                RaException refusal = null;
                try
                {
                    RaSystem.builder().nodeId("second").transport(network.newTransport()).storage(shared).build()
                        .close();
                }
                catch (final RaException ex)
                {
                    refusal = ex;
                }

                assertThat(first.<Long>processCommand(member, 2L).reply()).isEqualTo(2L);
                assertThat(refusal).as("the second build's failure").isNotNull()
                    .hasMessageContaining("second").hasMessageContaining("first");
            }
        }
    }

    /**
     * A build refused for its settings closes what it was given, unless a running system runs on it (the builder was
     * copied from that system's, with one setting changed).
     */
    @Test
    void aBuildRefusedForItsSettingsLeavesTheRunningSystemsTransportAndStorageAlone()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final FileStorage shared = FileStorage.builder().directory(dir).build();
            final var transport = network.newTransport();
            try (RaSystem first = RaSystem.builder().nodeId("first").transport(transport)
                .storage(shared).electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).build())
            {
                final ServerId member = new ServerId("counter", "first");
                first.startCluster("counter", new CounterMachine(), List.of(member));
                RuntimeException refusal = null;
                try
                {
                    RaSystem.builder().nodeId("first").transport(transport).storage(shared)
                        .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
                        .commitNoticeDelay(Duration.ofMillis(300)).build().close();
                }
                catch (final IllegalArgumentException ex)
                {
                    refusal = ex;
                }

                assertThat(refusal).as("the second build's failure").isNotNull();
                assertThat(first.<Long>processCommand(member, 2L).reply()).isEqualTo(2L);
            }
        }
    }

    /**
     * A build refused because another system runs on its transport closes the storage it was given, which no system
     * runs on: a retry on the same directory finds it unlocked.
     */
    @Test
    void aBuildRefusedTheTransportOfARunningSystemClosesTheStorageItWasGiven(@TempDir final Path other)
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final var transport = network.newTransport();
            try (RaSystem first = RaSystem.builder().nodeId("first").transport(transport)
                .storage(FileStorage.builder().directory(dir).build()).build())
            {
                RaException refusal = null;
                try
                {
                    RaSystem.builder().nodeId("second").transport(transport)
                        .storage(FileStorage.builder().directory(other).build()).build().close();
                }
                catch (final RaException ex)
                {
                    refusal = ex;
                }
                assertThat(refusal).as("the second build's failure").isNotNull().hasMessageContaining("transport");

                try (RaSystem second = RaSystem.builder().nodeId("second").transport(network.newTransport())
                    .storage(FileStorage.builder().directory(other).build()).build())
                {
                    assertThat(second.nodeId()).isEqualTo("second");
                }
            }
        }
    }
}
