package dev.ra.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * An Apache Ratis 3.3.0 member over gRPC on loopback with its default durable log (flushed before acknowledgement),
 * the same state machine as the throughput comparison, and the given election timeout
 * ({@code raft.server.rpc.timeout.min/max}). A restart recovers from the member's storage directory.
 */
final class RatisMember implements FailoverMember
{
    private static final RaftGroupId GROUP_ID =
        RaftGroupId.valueOf(UUID.nameUUIDFromBytes("ra-bench-failover".getBytes(StandardCharsets.UTF_8)));

    private final RaftServer server;
    private final RaftGroup group;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();

    RatisMember(final String self, final Map<String, Integer> ports, final Path dir, final long electionMinMs,
        final long electionMaxMs) throws IOException
    {
        final List<RaftPeer> peers = new ArrayList<>();
        ports.forEach((name, port) -> peers.add(RaftPeer.newBuilder().setId(name).setAddress("127.0.0.1:" + port)
            .build()));
        group = RaftGroup.valueOf(GROUP_ID, peers);
        final RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(props, ports.get(self));
        RaftServerConfigKeys.setStorageDir(props, List.of(dir.toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(electionMinMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(electionMaxMs, TimeUnit.MILLISECONDS));
        server = RaftServer.newBuilder().setServerId(peers.stream().filter(p -> p.getId().toString().equals(self))
            .findFirst().orElseThrow().getId()).setGroup(group).setProperties(props)
            .setOption(hasStorage(dir) ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
            .setStateMachine(new RatisPeer.KvStateMachine()).build();
        server.start();
    }

    private static boolean hasStorage(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isPresent();
        }
    }

    @Override
    public CompletableFuture<?> put(final byte[] command)
    {
        final RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
            .setServerId(server.getId()).setGroupId(group.getGroupId()).setCallId(callId.incrementAndGet())
            .setMessage(Message.valueOf(ByteString.copyFrom(command))).setType(RaftClientRequest.writeRequestType())
            .build();
        try
        {
            return server.submitClientRequestAsync(request).thenApply(reply ->
            {
                if (!reply.isSuccess())
                {
                    throw new IllegalStateException(String.valueOf(reply.getException()));
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
    public boolean isLeader()
    {
        try
        {
            return server.getDivision(GROUP_ID).getInfo().isLeaderReady();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    @Override
    public long lastApplied()
    {
        try
        {
            return server.getDivision(GROUP_ID).getInfo().getLastAppliedIndex();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    @Override
    public void close() throws IOException
    {
        server.close();
    }
}
