package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandFailedException;
import dev.ra.InvalidCommandException;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.spi.PeerFeature;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThrowingMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pipelined command that fails (the machine's {@code apply} throws, or the leader refuses the command) is notified
 * to a process on another node as it is to one on the leader's node: as a {@link CommandFailedException} or an
 * {@link InvalidCommandException} in {@link RaEvent.Applied}, in log order with the other notifications. The reply
 * codec cannot carry an exception, so this takes a notice of its own, sent only to a node whose release takes it
 * ({@link PeerFeature#FAILED_COMMAND_NOTICE}); an older node is told of the other commands as before.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RemoteFailureNoticeTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The correlation of a command whose reply a member's transport garbles on its way to the client. */
    private static final String GARBLED = "garbled";

    private final List<ServerId> members = List.of(new ServerId("t", "n2"), new ServerId("t", "n3"),
        new ServerId("t", "n4"));
    /** Nodes the members' transports report as taking no new feature (an older release). */
    private final Set<String> older = ConcurrentHashMap.newKeySet();
    /** Kinds of message the members sent to the client node n1. */
    private final Set<Class<?>> sentToClient = ConcurrentHashMap.newKeySet();
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private ServerId start()
    {
        final InJvmNetwork network = new InJvmNetwork();
        cluster = new InJvmCluster(4, Duration.ZERO,
            node -> "n1".equals(node) ? network.newTransport() : new MemberTransport(network.newTransport()),
            b -> b.registerMachine("throwing", ThrowingMachine::new));
        cluster.system("n1").startCluster("t", "throwing", members);
        return cluster.awaitLeader(members, WAIT);
    }

    @Test
    void aProcessOnAnotherNodeHearsThatItsPipelinedCommandsApplyThrew() throws Exception
    {
        final ServerId leader = start();
        final RaSystem client = cluster.system("n1");
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        client.pipelineCommand(leader, "boom", "c1", observer.ref());
        client.pipelineCommand(leader, "inc", "c2", observer.ref());
        client.pipelineCommand(leader, "boom", "c3", observer.ref());

        final List<RaEvent.Correlated> applied = awaitNotified(events, 3);
        assertThat(applied).extracting(RaEvent.Correlated::correlation).containsExactly("c1", "c2", "c3");
        assertThat(applied.get(0).reply()).isInstanceOfSatisfying(CommandFailedException.class, failed ->
        {
            assertThat(failed.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
            assertThat(failed.getMessage()).isEqualTo("boom at count 0");
            assertThat(failed.index()).isPositive();
        });
        assertThat(applied.get(1).reply()).isEqualTo(1L);
        assertThat(applied.get(2).reply()).isInstanceOfSatisfying(CommandFailedException.class, failed ->
        {
            assertThat(failed.getMessage()).isEqualTo("boom at count 1");
            assertThat(failed.index()).isGreaterThan(((CommandFailedException)applied.get(0).reply()).index());
        });
    }

    @Test
    void aProcessOnAnotherNodeHearsThatTheLeaderRefusedItsPipelinedCommand() throws Exception
    {
        start();
        final RaSystem client = cluster.system("n1");
        final List<ServerId> other = List.of(new ServerId("u", "n2"));
        cluster.system("n2").startCluster("u", "throwing", other);
        final ServerId otherLeader = cluster.awaitLeader(other, WAIT);
        // The client knows the cluster with another machine, whose command type (Long) the leader's (String) refuses.
        client.registerCluster("u", new CounterMachine(), other);
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        client.pipelineCommand(otherLeader, 7L, "bad", observer.ref());

        final List<RaEvent.Correlated> applied = awaitNotified(events, 1);
        assertThat(applied.get(0).correlation()).isEqualTo("bad");
        assertThat(applied.get(0).reply()).isInstanceOfSatisfying(InvalidCommandException.class, refused ->
            assertThat(refused.getMessage()).contains(String.class.getName()));
    }

    /**
     * A reply the leader cannot encode, or that the process's node cannot decode, is no reason to leave the process
     * waiting: it is told the command was applied but its reply cannot reach it, as a caller of processCommand is.
     */
    @Test
    void aProcessOnAnotherNodeHearsThatItsCommandWasAppliedButItsReplyCannotReachIt() throws Exception
    {
        final ServerId leader = start();
        final RaSystem client = cluster.system("n1");
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        client.pipelineCommand(leader, "opaque", "c1", observer.ref());
        client.pipelineCommand(leader, "inc", GARBLED, observer.ref());
        client.pipelineCommand(leader, "inc", "c3", observer.ref());

        final List<RaEvent.Correlated> applied = awaitNotified(events, 3);
        assertThat(applied).extracting(RaEvent.Correlated::correlation).containsExactly("c1", GARBLED, "c3");
        assertThat(applied.get(0).reply()).isInstanceOfSatisfying(RaException.class, failed ->
            assertThat(failed.getMessage()).contains("applied by " + leader).contains("cannot be sent back")
                .contains(ThrowingMachine.Opaque.class.getName()));
        assertThat(applied.get(1).reply()).isInstanceOfSatisfying(RaException.class, failed ->
            assertThat(failed.getMessage()).contains("applied by " + leader).contains("cannot be decoded"));
        assertThat(applied.get(2).reply()).isEqualTo(3L);
    }

    @Test
    void aNodeOfAnOlderReleaseIsToldOfTheOtherCommandsAndSentNothingItCannotRead() throws Exception
    {
        older.add("n1");
        final ServerId leader = start();
        final RaSystem client = cluster.system("n1");
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final RaProcess observer = client.spawn(events::add);

        client.pipelineCommand(leader, "boom", "c1", observer.ref());
        client.pipelineCommand(leader, "inc", "c2", observer.ref());

        final List<RaEvent.Correlated> applied = awaitNotified(events, 1);
        assertThat(applied).containsExactly(new RaEvent.Correlated("c2", 1L));
        assertThat(sentToClient).allSatisfy(kind -> assertThat(kind.getSimpleName()).isNotEqualTo("FailedNotice"));
    }

    private static List<RaEvent.Correlated> awaitNotified(final BlockingQueue<Object> events, final int count)
        throws InterruptedException
    {
        final List<RaEvent.Correlated> applied = new ArrayList<>();
        while (applied.size() < count)
        {
            final Object event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(event).as("notification " + (applied.size() + 1) + " of " + count + " after " + applied)
                .isInstanceOf(RaEvent.Applied.class);
            applied.addAll(((RaEvent.Applied)event).applied());
        }
        return applied;
    }

    /** A member's transport: says which nodes run an older release, and records what it sends to the client. */
    private final class MemberTransport extends ForwardingTransport
    {
        MemberTransport(final dev.ra.spi.Transport delegate)
        {
            super(delegate);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            if ("n1".equals(node))
            {
                sentToClient.add(message.getClass());
            }
            delegate.send(node, message instanceof NodeMessage.AppliedNotice notice ? garbled(notice) : message);
        }

        /** @return the notice with the reply to {@link #GARBLED} made bytes no codec decodes. */
        private NodeMessage garbled(final NodeMessage.AppliedNotice notice)
        {
            final List<Bytes> replies = new ArrayList<>(notice.replies());
            for (int i = 0; i < replies.size(); i++)
            {
                if (GARBLED.equals(notice.correlations().get(i)))
                {
                    replies.set(i, Bytes.wrap(new byte[] {(byte)0xFF, 0, 0}));
                }
            }
            return new NodeMessage.AppliedNotice(notice.to(), notice.leader(), notice.correlations(), replies);
        }

        @Override
        public boolean supports(final String node, final PeerFeature feature)
        {
            return !older.contains(node) && delegate.supports(node, feature);
        }
    }
}
