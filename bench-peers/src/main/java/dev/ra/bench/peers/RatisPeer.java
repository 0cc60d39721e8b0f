package dev.ra.bench.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Apache Ratis 3.3.0: three {@link RaftServer}s in this JVM over gRPC on loopback, default (durable) log settings:
 * {@code raft.server.log.unsafe-flush.enabled=false} and {@code async-flush.enabled=false}, so an entry is flushed
 * (fsync) before it is acknowledged. Commands are submitted either on the leader
 * ({@code submitClientRequestAsync}) or through {@link RaftClient#async()}.
 */
final class RatisPeer implements Peer
{
    /** The workload's machine: latest value per key. */
    static final class KvStateMachine extends BaseStateMachine
    {
        private final Map<ByteBuffer, ByteString> values = Collections.synchronizedMap(new HashMap<>());
        private long puts;

        @Override
        public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
        {
            final RaftProtos.LogEntryProto entry = trx.getLogEntry();
            final ByteString data = entry.getStateMachineLogEntry().getLogData();
            // The same lean apply as ours: a 16-byte key view (read-only, no copy) and the entry's data as the value.
            values.put(data.substring(0, 16).asReadOnlyByteBuffer(), data);
            puts++;
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            final byte[] reply = ByteBuffer.allocate(8).putLong(puts).array();
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
        }
    }

    private final List<RaftServer> servers = new ArrayList<>();
    private final RaftGroup group;
    private final RaftClient client;
    private final RaftServer leader;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();

    private final boolean tuned;

    RatisPeer(final Path root, final boolean viaClient) throws IOException, InterruptedException
    {
        this(root, viaClient, false);
    }

    /**
     * @param root      data directory.
     * @param viaClient submit through a {@link RaftClient} rather than on the leader.
     * @param tuned     apply {@link RatisTuning#SETTINGS} (Ratis's documented throughput settings) over the defaults.
     */
    RatisPeer(final Path root, final boolean viaClient, final boolean tuned) throws IOException, InterruptedException
    {
        this.tuned = tuned;
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + PeerBench.freePort()).build());
        }
        group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        for (final RaftPeer p : peers)
        {
            final RaftProperties props = new RaftProperties();
            RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
            GrpcConfigKeys.Server.setPort(props, Integer.parseInt(p.getAddress().split(":")[1]));
            RaftServerConfigKeys.setStorageDir(props, List.of(root.resolve(p.getId().toString()).toFile()));
            RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
            if (tuned)
            {
                RatisTuning.SETTINGS.forEach(props::set);
            }
            for (final String kv : System.getProperty("ratis.props", "").split(","))
            {
                if (kv.contains("="))
                {
                    props.set(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            final RaftServer server = RaftServer.newBuilder().setServerId(p.getId()).setGroup(group)
                .setProperties(props).setStateMachine(new KvStateMachine()).build();
            server.start();
            servers.add(server);
        }
        RaftServer found = null;
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (null == found && System.nanoTime() < deadline)
        {
            for (final RaftServer s : servers)
            {
                if (s.getDivision(group.getGroupId()).getInfo().isLeaderReady())
                {
                    found = s;
                }
            }
            Thread.sleep(50);
        }
        if (null == found)
        {
            throw new IllegalStateException("no Ratis leader within 60 s");
        }
        leader = found;
        final RaftProperties clientProps = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProps, SupportedRpcType.GRPC);
        if (tuned)
        {
            clientProps.set("raft.grpc.flow.control.window", RatisTuning.SETTINGS.get("raft.grpc.flow.control.window"));
        }
        client = viaClient ? RaftClient.newBuilder().setProperties(clientProps).setRaftGroup(group)
            .setLeaderId(leader.getId()).build() : null;
    }

    @Override
    public CompletableFuture<?> submit(final byte[] command)
    {
        final Message message = Message.valueOf(ByteString.copyFrom(command));
        if (null != client)
        {
            return client.async().send(message);
        }
        final RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
            .setServerId(leader.getId()).setGroupId(group.getGroupId()).setCallId(callId.incrementAndGet())
            .setMessage(message).setType(RaftClientRequest.writeRequestType()).build();
        try
        {
            return leader.submitClientRequestAsync(request).thenApply(reply ->
            {
                if (!reply.isSuccess())
                {
                    throw new IllegalStateException("Ratis request failed: " + reply.getException());
                }
                return reply;
            });
        }
        catch (final IOException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public String durability()
    {
        return (tuned ? "Ratis with its documented throughput settings " + RatisTuning.SETTINGS : "Ratis defaults") +
            ": log flushed (fsync) before acknowledgement; unsafe-flush=false, async-flush=false";
    }

    @Override
    public void close() throws Exception
    {
        if (null != client)
        {
            client.close();
        }
        for (final RaftServer s : servers)
        {
            s.close();
        }
    }
}
