package dev.ra.node;

import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.StateMachine;
import dev.ra.log.FileStorage;
import dev.ra.spi.Storage;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * java -cp "ra-core.jar:ra-log.jar:ra-transport-netty.jar:ra-node.jar:netty-common.jar:netty-buffer.jar:netty-resolver.jar:netty-transport.jar:netty-transport-native-unix-common.jar:netty-codec-base.jar:netty-handler.jar:netty-transport-classes-epoll.jar:slf4j-api.jar:your-machines.jar" \
 *     dev.ra.node.NodeLauncher --config n1.properties
 * java -cp ... dev.ra.node.NodeLauncher node.id=n1 listen=127.0.0.1:7001 \
 *     peers=n2=127.0.0.1:7002,n3=127.0.0.1:7003 machines=kv=com.example.KvMachine
 * </pre>
 *
 * <p>A stored server it cannot restart (its machine not in {@code machines=}, its storage damaged) does not stop it:
 * the others start, and it prints {@code ra> event restart-failed <server> <reason>} for each on standard output
 * (see {@link RaSystem#failedRestarts()}).
 *
 * <p>Once listening it prints {@code ra> ready <node> <host:port>} on standard output, and runs until it is stopped:
 * by a signal (Ctrl-C, {@code kill}), which closes the node, or, with {@code control=stdin}, by the {@code stop}
 * command or the end of standard input. With {@code control=stdin} it reads one command per line from standard input
 * and answers on standard output, each answer line starting with {@code ra> }: the commands of {@link NodeControl},
 * {@code status}, {@code spawn}, {@code close <id>} and {@code stop}, and those of the transport, {@code block <node>},
 * {@code unblock <node>} and {@code stats}.
 *
 * <p>Clusters are started and used from any node, e.g. a client {@link RaSystem} with its own {@link NettyTransport}
 * ({@link RaSystem#startCluster(String, String, java.util.List)} with a machine name registered here,
 * {@link RaSystem#registerCluster}, {@link RaSystem#processCommand}, {@link RaSystem#namedQuery}).
 */
public final class NodeLauncher implements AutoCloseable
{
    /** The exit status of a node that could not start, as ra-tool's for a command that could not run. */
    public static final int EXIT_CANNOT_START = 2;

    private static final Logger LOG = LoggerFactory.getLogger(NodeLauncher.class);

    private final NettyTransport transport;
    private final Storage storage;
    private final RaSystem system;

    private NodeLauncher(final NodeConfig config)
    {
        this.transport = new NettyTransport(config.transportConfig());
        Storage opened = null;
        try
        {
            opened = openStorage(config);
            final RaSystemBuilder builder = config.applyTo(RaSystem.builder(), transport, opened);
            for (final Map.Entry<String, String> machine : config.machines().entrySet())
            {
                final Constructor<?> constructor = machineConstructor(machine.getValue());
                builder.registerMachine(machine.getKey(), () -> newMachine(constructor));
            }
            // Restarts every server found in the storage (one that cannot be restarted is logged and left stopped).
            this.system = builder.build();
        }
        catch (final RuntimeException | Error ex)
        {
            // The storage holds its directory's lock and runs threads: the next start on that directory, in this
            // JVM or after a retry, must find it free.
            closeAfterFailedStart(transport, opened, ex);
            throw ex;
        }
        this.storage = opened;
    }

    /**
     * A node of parts already started (tests).
     */
    NodeLauncher(final NettyTransport transport, final Storage storage, final RaSystem system)
    {
        this.transport = transport;
        this.storage = storage;
        this.system = system;
    }

    private static void closeAfterFailedStart(final NettyTransport transport, final Storage storage,
        final Throwable failure)
    {
        try
        {
            transport.close();
        }
        catch (final RuntimeException ex)
        {
            failure.addSuppressed(ex);
        }
        if (null != storage)
        {
            try
            {
                storage.close();
            }
            catch (final RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    private static Storage openStorage(final NodeConfig config)
    {
        if (null == config.dataDir())
        {
            LOG.warn("{}: no data.dir: in-memory storage, everything is lost when this process ends",
                config.nodeId());
        }
        return config.openStorage();
    }

    private static Constructor<?> machineConstructor(final String className)
    {
        try
        {
            final Class<?> type = Class.forName(className);
            if (!StateMachine.class.isAssignableFrom(type))
            {
                // Found out at start rather than when the first server of that machine starts.
                throw new IllegalArgumentException("machine " + className + " is not a " +
                    StateMachine.class.getName());
            }
            return type.getConstructor();
        }
        catch (final ClassNotFoundException | NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("machine " + className +
                " must be on the class path with a public no-arg constructor", ex);
        }
        catch (final LinkageError ex)
        {
            // A class that needs another one not on the class path, or whose static initialiser throws.
            throw new IllegalArgumentException("machine " + className + " cannot be loaded", ex);
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

    /**
     * Close the system, then the storage, whatever the system's close did: a system whose close fails must not leave
     * the WAL without its clean end nor the data directory locked.
     */
    @Override
    public void close()
    {
        try
        {
            system.close();
        }
        finally
        {
            storage.close();
        }
    }

    /**
     * Start a node from arguments (see the class description) and run until stopped: by a signal, or with
     * {@code control=stdin} by {@code stop} or the end of standard input. A node that cannot start (a missing,
     * malformed or unknown setting, an unreadable settings file, a port in use, a machine class not found, storage
     * that does not open, a jar missing from the class path, out of memory) ends the JVM with one line on standard
     * error saying what and where, and exit status {@value #EXIT_CANNOT_START}, having closed whatever it had opened.
     *
     * @param args {@code --config file} and/or {@code key=value} settings.
     * @throws IOException          if standard input fails.
     * @throws InterruptedException if the main thread is interrupted while the node runs.
     */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final NodeConfig config;
        try
        {
            config = NodeConfig.fromArgs(args);
        }
        catch (final RuntimeException | LinkageError | VirtualMachineError ex)
        {
            System.err.println(cannotStart(ex));
            System.exit(EXIT_CANNOT_START);
            return;
        }
        // Registered before the start: a signal during a long start (servers replaying their WAL) waits for the start
        // to end and then closes the node, instead of ending the JVM with the storage open. A start that fails has
        // closed what it opened; the hook then has nothing to close.
        final CompletableFuture<NodeLauncher> started = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            final NodeLauncher startedNode = started.join();
            if (null != startedNode)
            {
                startedNode.close();
            }
        }, "ra-shutdown"));
        final NodeLauncher node;
        try
        {
            node = start(config);
            started.complete(node);
        }
        catch (final RuntimeException | LinkageError | VirtualMachineError ex)
        {
            // Before System.exit, which waits for the hook, which waits for this.
            started.complete(null);
            // An operator's mistake, not a bug to debug: one line they can act on, as ra-tool gives. A LinkageError
            // is a jar missing from the class path (or a class that cannot initialise), which is one too, and so is
            // running out of memory (a heap too small for the WAL replayed, more threads than the system gives):
            // left to the JVM, it printed a stack trace and ended with status 1, or not at all while threads the
            // start had made were left running.
            System.err.println(cannotStart(ex));
            System.exit(EXIT_CANNOT_START);
            return;
        }
        finally
        {
            // Any other failure: the hook must not wait for ever as the JVM ends.
            started.complete(null);
        }
        final NodeControl control = node.control(new PrintStream(System.out, true, StandardCharsets.UTF_8));
        control.ready(node.transport.localAddress());
        if (!config.stdinControl())
        {
            // Ra's threads are daemons: the main thread keeps the JVM up until a signal runs the shutdown hook.
            new CountDownLatch(1).await();
            return;
        }
        control.run(System.in);
        System.exit(0);
    }

    private static String cannotStart(final Throwable failure)
    {
        if (failure instanceof OutOfMemoryError)
        {
            return "ra-node: cannot start: out of memory (" + failure.getMessage() + "): give the JVM more heap " +
                "(-Xmx) than the node's WAL files (wal.max.bytes), or fewer threads (event.loops, io.threads)";
        }
        return "ra-node: cannot start: " + describe(failure);
    }

    /**
     * @param failure of a start.
     * @return its message followed by those of its causes that add something, on one line.
     */
    public static String describe(final Throwable failure)
    {
        final StringBuilder text = new StringBuilder(null == failure.getMessage() ? named(failure) :
            failure.getMessage());
        Throwable cause = failure.getCause();
        for (int depth = 0; null != cause && cause != failure && depth < 5; depth++)
        {
            if (null == cause.getMessage() || text.indexOf(": " + cause.getMessage()) < 0)
            {
                text.append(": ").append(named(cause));
            }
            cause = cause.getCause();
        }
        return text.toString().replace('\n', ' ');
    }

    private static String named(final Throwable t)
    {
        return t.getClass().getSimpleName() + (null == t.getMessage() ? "" : " " + t.getMessage());
    }

    /**
     * The node's control loop: the common commands of {@link NodeControl} and those of its transport.
     *
     * @param out where answers go.
     * @return the control loop, not yet reading.
     */
    public NodeControl control(final PrintStream out)
    {
        return NodeControl.builder(system, this::close).output(out).transport(transport).build();
    }
}
