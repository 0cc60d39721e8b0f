package dev.ra.bench.peers;

import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.CliOptions;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.cli.CliClientServiceImpl;
import com.alipay.sofa.jraft.util.Endpoint;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * SOFAJRaft 1.4.1: three nodes in this JVM, each with its own Bolt RPC server on loopback, RocksDB log storage with
 * {@code RaftOptions.sync=true} (the default: every log write is synced before it counts) and {@code syncMeta=true}.
 * Commands are submitted either on the leader ({@code Node.apply(Task)}) or through an RPC client to a processor on
 * the leader's RPC server that applies them (the pattern of SOFAJRaft's own counter example).
 */
final class JraftPeer implements Peer
{
    private static final String GROUP = "bench";

    /** Client request: a put. */
    public static final class PutRequest implements Serializable
    {
        private static final long serialVersionUID = 1L;
        /** Key and value. */
        public byte[] command;
    }

    /** Client response. */
    public static final class PutResponse implements Serializable
    {
        private static final long serialVersionUID = 1L;
        /** Whether the put committed. */
        public boolean success;
        /** Error text, if not. */
        public String error;
        /** Puts applied. */
        public long puts;
    }

    /** Completion of one put on the leader. */
    static final class PutClosure implements com.alipay.sofa.jraft.Closure
    {
        final CompletableFuture<Long> future = new CompletableFuture<>();
        long puts;

        @Override
        public void run(final Status status)
        {
            if (status.isOk())
            {
                future.complete(puts);
            }
            else
            {
                future.completeExceptionally(new IllegalStateException(status.toString()));
            }
        }
    }

    /**
     * A member's options as every SOFAJRaft figure runs it: the workload's machine, log, metadata and snapshots under
     * {@code dir}, and durability on (log and metadata synced before they count).
     *
     * @param conf              the initial configuration.
     * @param dir               the member's data directory (exists).
     * @param electionTimeoutMs SOFAJRaft's election timeout.
     * @return the options.
     */
    static NodeOptions durableOptions(final Configuration conf, final Path dir, final int electionTimeoutMs)
    {
        final NodeOptions options = new NodeOptions();
        options.setElectionTimeoutMs(electionTimeoutMs);
        options.setInitialConf(conf);
        options.setFsm(new KvFsm());
        options.setLogUri(dir.resolve("log").toString());
        options.setRaftMetaUri(dir.resolve("meta").toString());
        options.setSnapshotUri(dir.resolve("snapshot").toString());
        final RaftOptions raft = new RaftOptions();
        raft.setSync(true);
        raft.setSyncMeta(true);
        options.setRaftOptions(raft);
        return options;
    }

    /** The workload's machine: latest value per key. */
    static final class KvFsm extends StateMachineAdapter
    {
        private final Map<ByteBuffer, ByteBuffer> values = new HashMap<>();
        private long puts;

        @Override
        public void onApply(final Iterator iter)
        {
            while (iter.hasNext())
            {
                // The same lean apply as ours: the key is a 16-byte view of the entry's data, the value the data.
                final ByteBuffer data = iter.getData();
                values.put(data.slice(data.position(), 16), data);
                puts++;
                final PutClosure done = (PutClosure)iter.done();
                if (null != done)
                {
                    done.puts = puts;
                    done.run(Status.OK());
                }
                iter.next();
            }
        }
    }

    private final List<RaftGroupService> services = new ArrayList<>();
    private final Map<PeerId, Node> nodes = new HashMap<>();
    private final Node leader;
    private final CliClientServiceImpl cli;

    JraftPeer(final Path root, final boolean viaClient) throws Exception
    {
        final List<PeerId> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            peers.add(new PeerId(new Endpoint("127.0.0.1", PeerBench.freePort()), 0));
        }
        final Configuration conf = new Configuration(peers);
        for (final PeerId id : peers)
        {
            final Path dir = java.nio.file.Files.createDirectories(root.resolve("n" + id.getPort()));
            final NodeOptions options = durableOptions(conf.copy(), dir, 1000);
            final RpcServer rpc = RaftRpcServerFactory.createRaftRpcServer(id.getEndpoint());
            rpc.registerProcessor(new PutProcessor(this::leaderNode));
            final RaftGroupService service = new RaftGroupService(GROUP, id, options, rpc);
            services.add(service);
            nodes.put(id, service.start());
        }
        Node found = null;
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (null == found && System.nanoTime() < deadline)
        {
            for (final Node n : nodes.values())
            {
                if (n.isLeader())
                {
                    found = n;
                }
            }
            Thread.sleep(50);
        }
        if (null == found)
        {
            throw new IllegalStateException("no SOFAJRaft leader within 60 s");
        }
        leader = found;
        if (viaClient)
        {
            cli = new CliClientServiceImpl();
            cli.init(new CliOptions());
        }
        else
        {
            cli = null;
        }
    }

    private Node leaderNode()
    {
        return leader;
    }

    @Override
    public CompletableFuture<?> submit(final byte[] command)
    {
        if (null == cli)
        {
            return applyOnLeader(leader, command);
        }
        final CompletableFuture<Object> f = new CompletableFuture<>();
        final PutRequest request = new PutRequest();
        request.command = command;
        try
        {
            cli.getRpcClient().invokeAsync(leader.getLeaderId().getEndpoint(), request, (result, err) ->
            {
                if (null != err)
                {
                    f.completeExceptionally(err);
                }
                else if (result instanceof PutResponse r && r.success)
                {
                    f.complete(r.puts);
                }
                else
                {
                    f.completeExceptionally(new IllegalStateException("put failed: " + result));
                }
            }, 30_000);
        }
        catch (final Exception ex)
        {
            f.completeExceptionally(ex);
        }
        return f;
    }

    static CompletableFuture<Long> applyOnLeader(final Node node, final byte[] command)
    {
        final PutClosure closure = new PutClosure();
        node.apply(new Task(ByteBuffer.wrap(command), closure));
        return closure.future;
    }

    /** Applies a client's put on the leader and answers when it is committed. */
    static final class PutProcessor implements RpcProcessor<PutRequest>
    {
        private final java.util.function.Supplier<Node> leader;

        PutProcessor(final java.util.function.Supplier<Node> leader)
        {
            this.leader = leader;
        }

        @Override
        public void handleRequest(final RpcContext ctx, final PutRequest request)
        {
            final Node node = leader.get();
            applyOnLeader(node, request.command).whenComplete((puts, err) ->
            {
                final PutResponse response = new PutResponse();
                response.success = null == err;
                response.error = null == err ? null : err.toString();
                response.puts = null == puts ? 0 : puts;
                ctx.sendResponse(response);
            });
        }

        @Override
        public String interest()
        {
            return PutRequest.class.getName();
        }
    }

    @Override
    public String durability()
    {
        return "SOFAJRaft RocksDB log, RaftOptions.sync=true (log writes synced before they count), syncMeta=true";
    }

    @Override
    public void close() throws Exception
    {
        if (null != cli)
        {
            cli.shutdown();
        }
        for (final RaftGroupService s : services)
        {
            s.shutdown();
        }
        for (final RaftGroupService s : services)
        {
            s.join();
        }
    }
}
