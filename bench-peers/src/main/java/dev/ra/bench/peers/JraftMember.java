package dev.ra.bench.peers;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A SOFAJRaft 1.4.1 member over Bolt RPC on loopback with its RocksDB log ({@code sync=true}, {@code syncMeta=true}),
 * the same state machine as the throughput comparison, and the given election timeout: SOFAJRaft waits
 * {@code electionTimeoutMs} plus a random delay below {@code maxElectionDelayMs}, so these are set to the lower bound
 * and the width of the range. A restart recovers from the member's directories.
 */
final class JraftMember implements FailoverMember
{
    private static final byte[] NO_CONTEXT = new byte[0];

    private final RaftGroupService service;
    private final Node node;

    JraftMember(final String self, final Map<String, Integer> ports, final Path dir, final long electionMinMs,
        final long electionMaxMs) throws IOException
    {
        final List<PeerId> peers = new ArrayList<>();
        ports.values().forEach(port -> peers.add(new PeerId(new Endpoint("127.0.0.1", port), 0)));
        final PeerId selfId = new PeerId(new Endpoint("127.0.0.1", ports.get(self)), 0);
        Files.createDirectories(dir);
        final NodeOptions options = JraftPeer.durableOptions(new Configuration(peers), dir, (int)electionMinMs);
        options.getRaftOptions().setMaxElectionDelayMs((int)Math.max(1, electionMaxMs - electionMinMs));
        final RpcServer rpc = RaftRpcServerFactory.createRaftRpcServer(selfId.getEndpoint());
        service = new RaftGroupService("bench", selfId, options, rpc);
        node = service.start();
    }

    @Override
    public CompletableFuture<?> put(final byte[] command)
    {
        return JraftPeer.applyOnLeader(node, command);
    }

    /**
     * SOFAJRaft's {@code Node.readIndex} with its default {@code ReadOnlyOption.ReadOnlySafe}: a heartbeat round
     * confirms the leadership (no lease), as ours does.
     */
    @Override
    public CompletableFuture<?> read()
    {
        final CompletableFuture<Long> read = new CompletableFuture<>();
        node.readIndex(NO_CONTEXT, new ReadIndexClosure()
        {
            @Override
            public void run(final Status status, final long index, final byte[] context)
            {
                if (status.isOk())
                {
                    read.complete(index);
                }
                else
                {
                    read.completeExceptionally(new IllegalStateException("readIndex failed: " + status));
                }
            }
        });
        return read;
    }

    @Override
    public boolean isLeader()
    {
        return node.isLeader();
    }

    @Override
    public long lastApplied()
    {
        return node.getLastAppliedLogIndex();
    }

    @Override
    public void close() throws InterruptedException
    {
        service.shutdown();
        service.join();
    }
}
