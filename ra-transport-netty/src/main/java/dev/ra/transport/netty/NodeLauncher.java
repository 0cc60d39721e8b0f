package dev.ra.transport.netty;

import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.log.FileStorage;
import dev.ra.log.SyncMethod;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one node: a {@link RaSystem} on a {@link NettyTransport} with durable storage ({@link FileStorage} in
 * {@code data.dir}; in memory without one), configured by a {@link NodeConfig}, restarting every server found in its
 * storage. Runs on a plain {@code java -cp ...} without JVM flags (each {@code NAME.jar} stands for the
 * {@code NAME-VERSION.jar} of that artifact; add {@code netty-transport-native-epoll-VERSION-linux-x86_64.jar} (or
 * {@code -linux-aarch_64}) for epoll, and an SLF4J binding for logs):
 *
 * <pre>
 * java -cp "ra-core.jar:ra-log.jar:ra-transport-netty.jar:netty-common.jar:netty-buffer.jar:netty-resolver.jar:netty-transport.jar:netty-transport-native-unix-common.jar:netty-codec-base.jar:netty-handler.jar:netty-transport-classes-epoll.jar:slf4j-api.jar:your-machines.jar" \
 *     dev.ra.transport.netty.NodeLauncher --config n1.properties
 * java -cp ... dev.ra.transport.netty.NodeLauncher node.id=n1 listen=127.0.0.1:7001 \
 *     peers=n2=127.0.0.1:7002,n3=127.0.0.1:7003 machines=kv=com.example.KvMachine
 * </pre>
 *
 * <p>Once listening it prints {@code ra> ready <node> <host:port>} on standard output, and runs until it is stopped:
 * by a signal (Ctrl-C, {@code kill}), which closes the node, or, with {@code control=stdin}, by the {@code stop}
 * command or the end of standard input. With {@code control=stdin} it reads one command per line from standard input
 * and answers on standard output, each answer line starting with {@code ra> }:
 *
 * <pre>
 * status           one line per local server:
 *                  status &lt;server&gt; &lt;role&gt; term=.. leader=.. commit=.. applied=..
 * block &lt;node&gt;     cut the transport off from a node (fault injection: a partition)
 * unblock &lt;node&gt;   heal that
 * spawn            create a process on this node; answers spawned &lt;node&gt; &lt;id&gt;
 * close &lt;id&gt;       close that process (its monitors see Down NORMAL)
 * stats            the transport's counters
 * stop             close the node and exit
 * </pre>
 *
 * Clusters are started and used from any node, e.g. a client {@link RaSystem} with its own {@link NettyTransport}
 * ({@link RaSystem#startCluster(String, String, java.util.List)} with a machine name registered here,
 * {@link RaSystem#registerCluster}, {@link RaSystem#processCommand}, {@link RaSystem#namedQuery}).
 */
public final class NodeLauncher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeLauncher.class);
    private static final String PREFIX = "ra> ";

    private final NodeConfig config;
    private final NettyTransport transport;
    private final Storage storage;
    private final RaSystem system;
    private final Map<Long, RaProcess> processes = new ConcurrentHashMap<>();

    private NodeLauncher(final NodeConfig config)
    {
        this.config = config;
        this.transport = new NettyTransport(config.transportConfig());
        this.storage = openStorage(config);
        final RaSystemBuilder builder = NodeTuning.system(config.tuning(), RaSystem.builder().nodeId(config.nodeId())
            .transport(transport).storage(storage).electionTimeout(config.electionTimeoutMin(),
                config.electionTimeoutMax()).tickInterval(config.tick()));
        for (final Map.Entry<String, String> machine : config.machines().entrySet())
        {
            final Constructor<?> constructor = machineConstructor(machine.getValue());
            builder.registerMachine(machine.getKey(), () -> newMachine(constructor));
        }
        // Restarts every server found in the storage (one that cannot be restarted is logged and left stopped).
        this.system = builder.build();
    }

    private static Storage openStorage(final NodeConfig config)
    {
        if (null == config.dataDir())
        {
            LOG.warn("{}: no data.dir: in-memory storage, everything is lost when this process ends",
                config.nodeId());
            return new InMemoryStorage();
        }
        return NodeTuning.storage(config.tuning(), FileStorage.builder().directory(config.dataDir())
            .syncMethod(config.fsync() ? SyncMethod.DATASYNC : SyncMethod.NONE)).build();
    }

    private static Constructor<?> machineConstructor(final String className)
    {
        try
        {
            return Class.forName(className).getConstructor();
        }
        catch (final ClassNotFoundException | NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("machine " + className +
                " must be on the class path with a public no-arg constructor", ex);
        }
    }

    private static StateMachine<?, ?> newMachine(final Constructor<?> constructor)
    {
        try
        {
            return (StateMachine<?, ?>)constructor.newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot create machine " + constructor.getDeclaringClass(), ex);
        }
    }

    /**
     * Start a node.
     *
     * @param config of the node.
     * @return the running node; close it to stop.
     */
    public static NodeLauncher start(final NodeConfig config)
    {
        return new NodeLauncher(config);
    }

    /**
     * @return the node's system.
     */
    public RaSystem system()
    {
        return system;
    }

    /**
     * @return the node's transport.
     */
    public NettyTransport transport()
    {
        return transport;
    }

    @Override
    public void close()
    {
        system.close();
        storage.close();
    }

    /**
     * Start a node from arguments (see the class description) and run until stopped: by a signal, or with
     * {@code control=stdin} by {@code stop} or the end of standard input.
     *
     * @param args {@code --config file} and/or {@code key=value} settings.
     * @throws IOException          if standard input fails.
     * @throws InterruptedException if the main thread is interrupted while the node runs.
     */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final NodeConfig config = NodeConfig.fromArgs(args);
        final NodeLauncher node = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "ra-shutdown"));
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final java.net.InetSocketAddress address = node.transport.localAddress();
        out.println(PREFIX + "ready " + config.nodeId() + " " + address.getHostString() + ":" + address.getPort());
        if (!config.stdinControl())
        {
            // Ra's threads are daemons: the main thread keeps the JVM up until a signal runs the shutdown hook.
            new CountDownLatch(1).await();
            return;
        }
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while (null != (line = in.readLine()))
        {
            if (!line.isBlank() && !node.control(line.trim(), out))
            {
                break;
            }
        }
        System.exit(0);
    }

    /**
     * Execute one control command.
     *
     * @return false to stop.
     */
    private boolean control(final String line, final PrintStream out)
    {
        final String[] words = line.split("\\s+");
        try
        {
            switch (words[0])
            {
                case "status":
                    for (final ServerId server : system.runningServers())
                    {
                        final ServerOverview o = system.overview(server);
                        out.println(PREFIX + "status " + server + " " + o.role() + " term=" + o.currentTerm() +
                            " leader=" + o.leader() + " commit=" + o.commitIndex() + " applied=" + o.lastApplied());
                    }
                    out.println(PREFIX + "ok status");
                    return true;
                case "block":
                    transport.block(words[1]);
                    out.println(PREFIX + "ok block");
                    return true;
                case "unblock":
                    transport.unblock(words[1]);
                    out.println(PREFIX + "ok unblock");
                    return true;
                case "spawn":
                {
                    final RaProcess process = system.spawn(message -> LOG.info("{}: process got {}",
                        config.nodeId(), message));
                    processes.put(process.ref().id(), process);
                    out.println(PREFIX + "spawned " + process.ref().node() + " " + process.ref().id());
                    return true;
                }
                case "close":
                {
                    final RaProcess process = processes.remove(Long.parseLong(words[1]));
                    if (null != process)
                    {
                        process.close();
                    }
                    out.println(PREFIX + "ok close");
                    return true;
                }
                case "stats":
                    out.println(PREFIX + "stats " + transport.stats());
                    return true;
                case "stop":
                    out.println(PREFIX + "ok stop");
                    close();
                    return false;
                default:
                    out.println(PREFIX + "error unknown command " + words[0]);
                    return true;
            }
        }
        catch (final RuntimeException ex)
        {
            out.println(PREFIX + "error " + ex);
            return true;
        }
    }
}
