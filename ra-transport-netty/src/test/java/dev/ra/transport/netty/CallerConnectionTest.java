package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.ThreadPerTask;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Synchronous calls sent and answered on the calling thread's own connection
 * ({@link NettyTransport#sendAndReceiveOnCaller}): node n1 hosts no member and calls a cluster on n2..n4.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerConnectionTest
{
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final Duration SLOW_SYNC = Duration.ofSeconds(1);
    /**
     * Far above the test default (150 ms, which reports a node silent after 75 ms unheard): on a busy machine a node's
     * threads can go unscheduled that long, and the election that follows would move the leadership these tests
     * count calls to. Nodes are then reported silent after 500 ms, with heartbeats every 100 ms.
     */
    private static final Duration ELECTION_TIMEOUT_MIN = Duration.ofSeconds(1);

    private final List<ServerId> members = List.of(new ServerId("c", "n2"), new ServerId("c", "n3"),
        new ServerId("c", "n4"));
    private LoopbackTransports transports;
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private ServerId start(final UnaryOperator<NettyTransportConfig.Builder> customizer)
    {
        return start(customizer, Duration.ZERO);
    }

    /**
     * @param syncDelay of every node's storage: a command takes at least this long to commit, so a test can act while
     *                  it is in flight.
     */
    private ServerId start(final UnaryOperator<NettyTransportConfig.Builder> customizer, final Duration syncDelay)
    {
        startNodes(customizer, syncDelay);
        return cluster.system("n1").startCluster("c", "counter", members);
    }

    private void startNodes(final UnaryOperator<NettyTransportConfig.Builder> customizer, final Duration syncDelay)
    {
        transports = new LoopbackTransports(4, customizer);
        cluster = new InJvmCluster(4, syncDelay, transports, b -> b.registerMachine("counter",
            CounterMachine::new).registerMachine("kv", KvMachine::new)
            .electionTimeout(ELECTION_TIMEOUT_MIN, ELECTION_TIMEOUT_MIN.multipliedBy(2)));
        transports.awaitConnected(STARTUP);
    }

    private TransportStats stats(final String node)
    {
        return transports.transport(node).stats();
    }

    @Test
    void aSynchronousCallIsSentAndAnsweredOnTheCallersOwnConnection() throws Exception
    {
        final ServerId leader = start(b -> b);
        final RaSystem client = cluster.system("n1");
        final TransportStats before = stats("n1");

        for (long i = 1; i <= 20; i++)
        {
            final CommandResult<Long> result = client.processCommand(leader, 1L);
            assertThat(result.reply()).isEqualTo(i);
            assertThat(result.leader()).isEqualTo(leader);
        }
        assertThat(stats("n1").callsAnsweredOnCaller() - before.callsAnsweredOnCaller()).isEqualTo(20);
        assertThat(stats("n1").callerConnectionsOpened() - before.callerConnectionsOpened()).isEqualTo(1);
        assertThat(stats(leader.node()).callerConnectionsOpened()).isEqualTo(1);

        // A connection per calling thread: another thread dials its own.
        final CompletableFuture<CommandResult<Long>> fromAnotherThread =
            CompletableFuture.supplyAsync(() -> client.processCommand(leader, 1L), ThreadPerTask.EXECUTOR);
        assertThat(fromAnotherThread.get(30, TimeUnit.SECONDS).reply()).isEqualTo(21L);
        assertThat(stats("n1").callerConnectionsOpened() - before.callerConnectionsOpened()).isEqualTo(2);

        // An asynchronous call is answered on the I/O thread as ever.
        assertThat(client.<Long>processCommandAsync(leader, 1L).get(30, TimeUnit.SECONDS).reply()).isEqualTo(22L);
        assertThat(stats("n1").callsAnsweredOnCaller() - before.callsAnsweredOnCaller()).isEqualTo(21);
        assertThat(stats(leader.node()).framesRejected()).isZero();
    }

    @Test
    void aCallToAFollowerIsRedirectedAndCompletesOverThePeerLink()
    {
        final ServerId leader = start(b -> b);
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem client = cluster.system("n1");

        final CommandResult<Long> result = client.processCommand(follower, 5L);

        assertThat(result.reply()).isEqualTo(5L);
        assertThat(result.leader()).isEqualTo(leader);
        // The follower's redirect came back on the caller connection; the retry went to the leader the usual way.
        assertThat(stats("n1").callsAnsweredOnCaller()).isEqualTo(1);
        assertThat(client.<Long>processCommand(follower, 1L).reply()).isEqualTo(6L);
    }

    @Test
    void aCommandAbove64KiBGoesOverThePeerLinkAndTheConnectionIsKept()
    {
        startNodes(b -> b, Duration.ZERO);
        final RaSystem client = cluster.system("n1");
        final ServerId leader = client.startCluster("c", "kv", members);

        client.processCommand(leader, new KvMachine.Put("small", "1"));
        client.processCommand(leader, new KvMachine.Put("large", "x".repeat(100_000)));
        client.processCommand(leader, new KvMachine.Put("small", "2"));

        // The large one went the usual way; the small ones shared one caller connection.
        assertThat(stats("n1").callsAnsweredOnCaller()).isEqualTo(2);
        assertThat(stats("n1").callerConnectionsOpened()).isEqualTo(1);
        assertThat(client.<String>namedQuery(leader, "get", "large", true).result()).hasSize(100_000);
    }

    @Test
    void withCallerConnectionsOffCallsGoOverThePeerLink()
    {
        final ServerId leader = start(b -> b.callerConnections(false));
        final RaSystem client = cluster.system("n1");

        for (long i = 1; i <= 5; i++)
        {
            assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(i);
        }
        assertThat(stats("n1").callerConnectionsOpened()).isZero();
        assertThat(stats("n1").callsAnsweredOnCaller()).isZero();
    }

    @Test
    void aConnectionIdleForHalfTheFailureTimeoutIsNotReused() throws InterruptedException
    {
        final ServerId leader = start(b -> b.failureTimeout(Duration.ofMillis(1_000)));
        final RaSystem client = cluster.system("n1");

        assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        // Past half the failure timeout the client dials again rather than race the node closing the idle one.
        Thread.sleep(1_200);
        assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(2L);

        assertThat(stats("n1").callerConnectionsOpened()).isEqualTo(2);
        assertThat(stats("n1").callsAnsweredOnCaller()).isEqualTo(2);
    }

    @Test
    void aCallLongerThanTheFailureTimeoutKeepsItsConnection()
    {
        // Every commit takes at least SLOW_SYNC, longer than the failure timeout: the node must not close the
        // connection of a call that awaits its reply, and the client must not take the wait for idleness.
        final ServerId leader = start(b -> b.failureTimeout(SLOW_SYNC.dividedBy(2)), SLOW_SYNC);
        final RaSystem client = cluster.system("n1");

        assertThat(client.<Long>processCommand(leader, 1L, Duration.ofSeconds(30)).reply()).isEqualTo(1L);
        assertThat(client.<Long>processCommand(leader, 1L, Duration.ofSeconds(30)).reply()).isEqualTo(2L);

        assertThat(stats("n1").callsAnsweredOnCaller()).isEqualTo(2);
        assertThat(stats("n1").callerConnectionsOpened()).isEqualTo(1);
    }

    @Test
    void theConnectionOfAThreadThatEndedIsClosedOnceIdle() throws Exception
    {
        final ServerId leader = start(b -> b);
        final RaSystem client = cluster.system("n1");
        final Thread caller = new Thread(() -> client.processCommand(leader, 1L), "one-call");
        caller.start();
        caller.join(30_000);

        assertThat(stats("n1").callsAnsweredOnCaller()).isEqualTo(1);
        InJvmCluster.await(() -> transports.transport("n1").openCallerConnectionCount() == 0 ? Boolean.TRUE : null,
            STARTUP, "the idle connection of a thread that ended to be closed");
        InJvmCluster.await(() -> transports.transport(leader.node()).link("n1").callerConnections.isEmpty() ?
            Boolean.TRUE : null, STARTUP, "the node to see it closed");
    }

    @Test
    void aCallThatTimesOutGivesUpItsConnectionAndTheNextCallDialsAgain()
    {
        final ServerId leader = start(b -> b, SLOW_SYNC);
        final RaSystem client = cluster.system("n1");
        assertThat(client.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);

        assertThatThrownBy(() -> client.processCommand(leader, 1L, SLOW_SYNC.dividedBy(4)))
            .isInstanceOf(RaTimeoutException.class);

        final CommandResult<Long> after = client.processCommand(leader, 10L, Duration.ofSeconds(30));
        // The timed-out command may or may not have been applied.
        assertThat(after.reply()).isIn(11L, 12L);
        assertThat(stats("n1").callerConnectionsOpened()).isEqualTo(2);
        assertThat(stats("n1").callsAnsweredOnCaller()).isEqualTo(2);
    }

    @Test
    void aCallWhoseConnectionBreaksInFlightHasAnUnknownOutcome()
    {
        final ServerId leader = start(b -> b, SLOW_SYNC);
        final RaSystem client = cluster.system("n1");

        final CompletableFuture<CommandResult<Long>> call =
            CompletableFuture.supplyAsync(() -> client.processCommand(leader, 1L, Duration.ofSeconds(60)),
                ThreadPerTask.EXECUTOR);
        final PeerLink fromClient = transports.transport(leader.node()).link("n1");
        InJvmCluster.await(() -> fromClient.callerChannels.isEmpty() ? null : Boolean.TRUE, STARTUP,
            "the call to reach the leader over a caller connection");
        // Cutting the client off closes its caller connections while the command waits for its slow commit.
        transports.transport(leader.node()).block("n1");

        assertThat(call).failsWithin(Duration.ofSeconds(30))
            .withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(CommandOutcomeUnknownException.class);
        assertThat(stats("n1").callsAnsweredOnCaller()).isZero();
    }

    @Test
    void aCallerConnectionCarriesServerCallsOnlyAndIsAnsweredOnTheSameSocket() throws Exception
    {
        final LoopbackTransports single = new LoopbackTransports(1, b -> b.allowNode("caller"));
        try (RaSystem node = RaSystem.builder().nodeId("n1").transport(single.newTransport("n1"))
            .storage(new dev.ra.runtime.memory.InMemoryStorage()).eventLoops(1).build();
            ScriptedPeer caller = new ScriptedPeer("caller", "test"))
        {
            final Socket socket = caller.dial(single.addresses().get("n1"));
            caller.sendCallerHello(socket, "n1");
            assertThat(ScriptedPeer.readHandshake(socket, FrameFormat.WELCOME).nodeId()).isEqualTo("n1");

            caller.sendMessage(socket, new NodeMessage.ServerCall(7, new ServerId("absent", "n1"),
                new ServerRequest.Members()));
            final NodeMessage answer = ScriptedPeer.readMessage(socket);
            assertThat(answer).isInstanceOfSatisfying(NodeMessage.CallReply.class, reply ->
            {
                assertThat(reply.callId()).isEqualTo(7);
                assertThat(reply.status()).isEqualTo(NodeMessage.CallStatus.NO_SERVER);
            });

            caller.sendMessage(socket, new NodeMessage.ProcessMessage(new ProcessRef("n1", 1), null,
                Bytes.wrap(new byte[] {1})));
            assertThat(ScriptedPeer.awaitClosedByNode(socket, Duration.ofSeconds(10))).isTrue();
            assertThat(single.transport("n1").stats().framesRejected()).isEqualTo(1);
            assertThat(single.transport("n1").isReachable("caller")).isFalse();
            assertThat(node.nodeId()).isEqualTo("n1");
        }
    }
}
