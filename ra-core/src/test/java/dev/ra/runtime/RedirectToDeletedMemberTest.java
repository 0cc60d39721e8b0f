package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.core.CallError;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call told by the members it asks that the leader is a member it found deleted (they have not noticed yet: the
 * leader was removed, and they have not elected another) does not go back there: a deleted server takes no call, so
 * the hint is taken for "no leader known", and the call asks the others (backing off between rounds) until they name
 * another. The members are stand-ins on the in-JVM network that answer as such members would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedirectToDeletedMemberTest
{
    private static final ServerId DELETED = new ServerId("kv", "gone");
    private static final List<ServerId> MEMBERS = List.of(new ServerId("kv", "f1"), new ServerId("kv", "f2"),
        DELETED);

    private final InJvmNetwork network = new InJvmNetwork();
    private final List<Transport> standIns = new ArrayList<>();
    private final Map<ServerId, AtomicInteger> commandsTaken = new ConcurrentHashMap<>();
    private RaSystem client;
    private volatile boolean addedBackAfterFirstCommand;
    private volatile boolean membersWithoutTheDeletedOnce;
    private final AtomicBoolean addedBack = new AtomicBoolean();

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        standIns.forEach(Transport::close);
        network.close();
    }

    @Test
    void aLeaderHintNamingAMemberTheCallFoundDeletedIsNotFollowed() throws Exception
    {
        for (final ServerId member : MEMBERS)
        {
            standIn(member);
        }
        client = RaSystem.builder().nodeId("client").transport(network.newTransport())
            .storage(new InMemoryStorage()).eventLoops(1).build();
        client.registerCluster("kv", new KvMachine(), MEMBERS);

        final Throwable failure = client.processCommandAsync(MEMBERS.get(0), new KvMachine.Put("k", "v"),
            Duration.ofSeconds(2)).handle((result, error) -> error).get(30, TimeUnit.SECONDS);

        assertThat(failure).as("no leader was found").isNotNull();
        assertThat(commandsTaken.get(DELETED).get()).as("commands sent to the deleted member").isEqualTo(1);
    }

    @Test
    void aMemberFoundDeletedIsFollowedAgainOnceTheMembersLearnedSinceNameIt() throws Exception
    {
        // The member of that id is created again and added back (and leads) right after it answered "deleted": the
        // members the call learns after that name it again, and so does every redirect.
        addedBackAfterFirstCommand = true;
        for (final ServerId member : MEMBERS)
        {
            standIn(member);
        }
        client = RaSystem.builder().nodeId("client").transport(network.newTransport())
            .storage(new InMemoryStorage()).eventLoops(1).build();
        client.registerCluster("kv", new KvMachine(), MEMBERS);

        final Throwable failure = client.processCommandAsync(MEMBERS.get(0), new KvMachine.Put("k", "v"),
            Duration.ofSeconds(5)).handle((result, error) -> error).get(30, TimeUnit.SECONDS);

        assertThat(failure).as("the member added back, which leads, took the command").isNull();
        assertThat(commandsTaken.get(DELETED).get()).as("commands sent to the member of that id").isEqualTo(2);
    }

    @Test
    void aMemberFoundDeletedIsAskedForTheMembersWhenNamedLeaderAfterTheMembersLearnedLeftItOut() throws Exception
    {
        // The first members call is answered without the deleted member (a leader elected meanwhile answers, then
        // steps down); a server of that id is then created again, added back, and leads: only it knows the members.
        membersWithoutTheDeletedOnce = true;
        for (final ServerId member : MEMBERS)
        {
            standIn(member);
        }
        client = RaSystem.builder().nodeId("client").transport(network.newTransport())
            .storage(new InMemoryStorage()).eventLoops(1).build();
        client.registerCluster("kv", new KvMachine(), MEMBERS);

        final Throwable failure = client.processCommandAsync(MEMBERS.get(0), new KvMachine.Put("k", "v"),
            Duration.ofSeconds(5)).handle((result, error) -> error).get(30, TimeUnit.SECONDS);

        assertThat(failure).as("the member added back, which leads, took the command").isNull();
        assertThat(commandsTaken.get(DELETED).get()).as("commands sent to the member of that id").isEqualTo(2);
    }

    /**
     * A stand-in for a member: the deleted one answers every call "deleted", the others redirect to it. With
     * {@link #addedBackAfterFirstCommand}, the deleted one is back once it answered a command: it takes commands and
     * answers with the members, itself among them. With {@link #membersWithoutTheDeletedOnce}, the first member
     * answers the first members call with the others, and the deleted one is back from then on.
     */
    private void standIn(final ServerId member)
    {
        commandsTaken.put(member, new AtomicInteger());
        final Transport transport = network.newTransport();
        standIns.add(transport);
        transport.start(member.node(), new TransportListener()
        {
            @Override
            public void onMessage(final String fromNode, final NodeMessage message)
            {
                if (!(message instanceof NodeMessage.ServerCall call))
                {
                    return;
                }
                if (call.request() instanceof ServerRequest.Command)
                {
                    commandsTaken.get(member).incrementAndGet();
                }
                if (member.equals(DELETED) && addedBack.get())
                {
                    final Bytes value = call.request() instanceof ServerRequest.Members ?
                        Bytes.wrap(Codecs.generic(new Class<?>[0]).toBytes(MEMBERS)) :
                        Bytes.wrap(new KvMachine().replyCodec().toBytes(null));
                    transport.send(fromNode, new NodeMessage.CallReply(call.callId(), NodeMessage.CallStatus.OK,
                        value, DELETED, null, ""));
                    return;
                }
                if (member.equals(MEMBERS.get(0)) && membersWithoutTheDeletedOnce &&
                    call.request() instanceof ServerRequest.Members && addedBack.compareAndSet(false, true))
                {
                    transport.send(fromNode, new NodeMessage.CallReply(call.callId(), NodeMessage.CallStatus.OK,
                        Bytes.wrap(Codecs.generic(new Class<?>[0]).toBytes(MEMBERS.subList(0, 2))), member, null,
                        ""));
                    return;
                }
                if (member.equals(DELETED) && addedBackAfterFirstCommand &&
                    call.request() instanceof ServerRequest.Command)
                {
                    addedBack.set(true);
                }
                transport.send(fromNode, member.equals(DELETED) ?
                    new NodeMessage.CallReply(call.callId(), NodeMessage.CallStatus.NO_SERVER, Bytes.EMPTY, null,
                        CallError.NOT_MEMBER, "server " + DELETED + " was deleted: removed from its cluster") :
                    new NodeMessage.CallReply(call.callId(), NodeMessage.CallStatus.REDIRECT, Bytes.EMPTY, DELETED,
                        null, ""));
            }

            @Override
            public void onNodeUp(final String node)
            {
            }

            @Override
            public void onNodeDown(final String node)
            {
            }
        });
    }
}
