package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client node whose cluster has one member's node gone (closed) and the others' silent (paused): a call addressed to
 * the gone member turns to a silent one, whose node it then avoids for the gone one again, and so on. It must end with
 * a clear error to its caller (here its timeout) rather than recurse until the caller's stack overflows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SilentAndGoneMembersCallTest
{
    private final InJvmNetwork network = new InJvmNetwork();
    private final List<RaSystem> nodes = new ArrayList<>();
    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));

    @AfterEach
    void close()
    {
        network.healAll();
        for (final RaSystem node : nodes)
        {
            node.close();
        }
        network.close();
    }

    private RaSystem node(final String id, final Transport transport)
    {
        final RaSystem node = RaSystem.builder().nodeId(id).transport(transport).storage(new InMemoryStorage())
            .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).eventLoops(1).build();
        nodes.add(node);
        return node;
    }

    @Test
    void aCallToAGoneMemberWhileTheOthersAreSilentFailsClearly() throws Exception
    {
        final RaSystem n1 = node("n1", network.newTransport());
        node("n2", network.newTransport());
        node("n3", network.newTransport());
        final SilenceRecorder clientTransport = new SilenceRecorder(network.newTransport());
        final RaSystem client = node("client", clientTransport);
        n1.startCluster("kv", new KvMachine(), members);
        client.registerCluster("kv", new KvMachine(), members);
        client.processCommand(members.get(0), new KvMachine.Put("warm", "1"), Duration.ofSeconds(30));

        network.pause("n2");
        network.pause("n3");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!clientTransport.silent.containsAll(Set.of("n2", "n3")) && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(clientTransport.silent).as("nodes the client was told are silent").contains("n2", "n3");
        n1.close();

        final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        try
        {
            client.processCommandAsync(members.get(0), new KvMachine.Put("a", "1"), Duration.ofSeconds(2))
                .whenComplete((result, failure) -> outcome.complete(failure));
        }
        catch (final StackOverflowError ex)
        {
            outcome.complete(ex);
        }

        assertThat(outcome.get(60, TimeUnit.SECONDS)).as("how the call failed").isInstanceOf(RaException.class);
    }

    /**
     * The member addressed was removed from the cluster, and its node names another member to ask instead, whose node
     * is silent, as is the third's: the call turned from the silent member to the next that may answer, the removed
     * one, which named the silent one again, and so on until the caller's stack overflowed. It must end with its
     * timeout.
     */
    @Test
    void aCallToARemovedMemberWhileTheOthersAreSilentFailsClearly() throws Exception
    {
        final RaSystem n1 = node("n1", network.newTransport());
        final RaSystem n2 = node("n2", network.newTransport());
        node("n3", network.newTransport());
        final SilenceRecorder clientTransport = new SilenceRecorder(network.newTransport());
        final RaSystem client = node("client", clientTransport);
        n1.startCluster("kv", new KvMachine(), members);
        client.registerCluster("kv", new KvMachine(), members);
        client.processCommand(members.get(0), new KvMachine.Put("warm", "1"), Duration.ofSeconds(30));
        n2.removeMember(members.get(1), members.get(0));
        final long stopDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (n1.isRunning(members.get(0)) && System.nanoTime() - stopDeadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(n1.isRunning(members.get(0))).as("the removed member runs").isFalse();

        network.pause("n2");
        network.pause("n3");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!clientTransport.silent.containsAll(Set.of("n2", "n3")) && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(clientTransport.silent).as("nodes the client was told are silent").contains("n2", "n3");

        final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        try
        {
            client.processCommandAsync(members.get(0), new KvMachine.Put("a", "1"), Duration.ofSeconds(2))
                .whenComplete((result, failure) -> outcome.complete(failure));
        }
        catch (final StackOverflowError ex)
        {
            outcome.complete(ex);
        }

        assertThat(outcome.get(60, TimeUnit.SECONDS)).as("how the call failed").isInstanceOf(RaException.class);
    }

    /**
     * Of five members, the one addressed is paused and the next in the member list is gone: the three others elect a
     * leader, and the call must find it through them rather than wait on the paused member until its timeout.
     */
    @Test
    void aCallTurnsFromASilentMemberPastAGoneOneToTheMembersThatRun() throws Exception
    {
        final List<ServerId> five = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            five.add(new ServerId("kv", "n" + i));
        }
        final List<RaSystem> hosts = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            hosts.add(node("n" + i, network.newTransport()));
        }
        final SilenceRecorder clientTransport = new SilenceRecorder(network.newTransport());
        final RaSystem client = node("client", clientTransport);
        hosts.get(0).startCluster("kv", new KvMachine(), five);
        hosts.get(0).transferLeadership(five.get(0), five.get(0));
        client.registerCluster("kv", new KvMachine(), five);
        // The client learns the leader, n1 (the transfer may take a moment: every attempt is bounded).
        for (int attempt = 0; attempt < 100 && !five.get(0).equals(client.<Object>processCommand(five.get(0),
            new KvMachine.Put("warm", "1"), Duration.ofSeconds(30)).leader()); attempt++)
        {
            Thread.sleep(50);
        }

        network.pause("n1");
        hosts.get(1).close();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!clientTransport.silent.contains("n1") && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(clientTransport.silent).as("nodes the client was told are silent").contains("n1");
        // n3, whose first call may go to n1 still and end with an unknown outcome, asks until one is applied.
        boolean elected = false;
        for (int attempt = 0; attempt < 100 && !elected; attempt++)
        {
            try
            {
                hosts.get(2).processCommand(five.get(2), new KvMachine.Put("elected", "1"), Duration.ofSeconds(10));
                elected = true;
            }
            catch (final RaException ex)
            {
                Thread.sleep(50);
            }
        }
        assertThat(elected).as("n3, n4 and n5 elected a leader").isTrue();

        final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        client.processCommandAsync(five.get(0), new KvMachine.Put("a", "1"), Duration.ofSeconds(10))
            .whenComplete((result, failure) -> outcome.complete(null == failure ? new NoFailure() : failure));

        assertThat(outcome.get(60, TimeUnit.SECONDS)).as("how the call ended").isInstanceOf(NoFailure.class);
    }

    /** The call succeeded. */
    private static final class NoFailure extends Throwable
    {
        private static final long serialVersionUID = 1L;
    }

    /** The client's transport, recording the nodes it reported silent and not heard since. */
    private static final class SilenceRecorder implements Transport
    {
        final Set<String> silent = ConcurrentHashMap.newKeySet();
        private final Transport transport;

        SilenceRecorder(final Transport transport)
        {
            this.transport = transport;
        }

        @Override
        public void reportSilenceAfter(final Duration silence)
        {
            transport.reportSilenceAfter(silence);
        }

        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            transport.start(localNode, new TransportListener()
            {
                @Override
                public void onMessage(final String fromNode, final NodeMessage message)
                {
                    listener.onMessage(fromNode, message);
                }

                @Override
                public void onNodeUp(final String node)
                {
                    listener.onNodeUp(node);
                }

                @Override
                public void onNodeDown(final String node)
                {
                    listener.onNodeDown(node);
                }

                @Override
                public void onNodeLeft(final String node)
                {
                    listener.onNodeLeft(node);
                }

                @Override
                public void onNodeSilent(final String node)
                {
                    listener.onNodeSilent(node);
                    silent.add(node);
                }

                @Override
                public void onNodeHeard(final String node)
                {
                    silent.remove(node);
                    listener.onNodeHeard(node);
                }
            });
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
}
