package dev.ra.examples.txn;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.log.FileStorage;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
import dev.ra.spi.Storage;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One node of the multi-JVM transfer test: a {@link RaSystem} on Netty with the coordinator and the two banks
 * registered ({@link #COORDINATOR}, {@link #BANK_A}, {@link #BANK_B}), {@link FileStorage} when {@code data.dir} is
 * set, and a {@link DriverHost} whose checkpoint the test can arm. Members found in storage are restarted.
 *
 * <p>As a main class it answers {@link NodeControl}'s commands and
 * <pre>
 * txn pause after-prepare|after-decision|after-commit-decision|none
 *                                              stop the next driver reaching that checkpoint (none: disarm)
 * </pre>
 * {@code after-commit-decision} is an {@code after-decision} whose logged decision is to commit: under a random
 * workload the next decision may be an abort (a participant voting no for want of funds), which a test of a commit
 * interrupted by a crash must pass by. A driver that stops reports the event {@code txn paused <checkpoint> <txId>}
 * (the armed name) and waits until the JVM is killed.
 */
final class TransferNode implements AutoCloseable
{
    static final String COORDINATOR = "coordinator";
    static final String BANK_A = "bank-a";
    static final String BANK_B = "bank-b";
    static final List<String> RA_NODES = List.of("n1", "n2", "n3");
    static final String AFTER_COMMIT_DECISION = "after-commit-decision";

    private final NettyTransport transport;
    private final Storage storage;
    private final DriverHost host;
    private final RaSystem system;
    private final ServerId local;

    private TransferNode(final NodeConfig config, final DriverCheckpoint checkpoint)
    {
        this.transport = new NettyTransport(config.transportConfig());
        this.storage = config.openStorage();
        this.local = new ServerId(COORDINATOR, config.nodeId());
        this.host = new DriverHost(local, Map.of(BANK_A, members(BANK_A), BANK_B, members(BANK_B)), checkpoint);
        this.system = config.applyTo(RaSystem.builder().defaultTimeout(Duration.ofSeconds(30)), transport, storage)
            .registerMachine(COORDINATOR, () -> new CoordinatorMachine(local))
            .registerMachine(BANK_A, ParticipantMachine::new)
            .registerMachine(BANK_B, ParticipantMachine::new)
            .modCallHandler(CoordinatorMachine.DEFAULT_HANDLER, host)
            .build();
        host.attach(system);
    }

    /**
     * @param settings {@link NodeConfig} settings.
     * @return a running node whose drivers never stop at checkpoints.
     */
    static TransferNode start(final List<String> settings)
    {
        return new TransferNode(NodeConfig.fromArgs(settings.toArray(String[]::new)), DriverCheckpoint.NONE);
    }

    /**
     * @param nodeId   of the node.
     * @param settings of the node other than {@code node.id} and {@code control}.
     * @param logFile  for the child's standard error.
     * @return the node in a child JVM, not started yet.
     */
    static NodeJvm childJvm(final String nodeId, final List<String> settings, final Path logFile)
    {
        return new NodeJvm(nodeId, TransferNode.class.getName(),
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), settings, logFile);
    }

    /**
     * @param cluster name.
     * @return its members on n1, n2, n3.
     */
    static List<ServerId> members(final String cluster)
    {
        return RA_NODES.stream().map(node -> new ServerId(cluster, node)).toList();
    }

    RaSystem system()
    {
        return system;
    }

    private static boolean stopsAt(final String armed, final String reached, final String txId,
        final TransferNode node)
    {
        if (armed.equals(reached))
        {
            return true;
        }
        return AFTER_COMMIT_DECISION.equals(armed) && DriverCheckpoint.AFTER_DECISION.equals(reached) &&
            null != node && node.loggedPhase(txId) == Phase.COMMITTING;
    }

    /** The transaction's phase as this node's coordinator member applied it (its driver has just logged it). */
    private Phase loggedPhase(final String txId)
    {
        final Transaction tx = system.<CoordinatorState, Transaction>localQuery(local, s -> s.transaction(txId))
            .result();
        return null == tx ? null : tx.phase();
    }

    NettyTransport transport()
    {
        return transport;
    }

    @Override
    public void close()
    {
        host.close();
        system.close();
        storage.close();
    }

    /**
     * Run a node until {@code stop} or the end of standard input.
     *
     * @param args {@link NodeConfig} settings.
     * @throws IOException if standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final AtomicReference<String> armed = new AtomicReference<>("none");
        final AtomicReference<TransferNode> self = new AtomicReference<>();
        final DriverCheckpoint checkpoint = (reached, txId) ->
        {
            // Compare by value, then swap the very reference read: the armed name came from a parsed command line.
            final String current = armed.get();
            if (stopsAt(current, reached, txId, self.get()) && armed.compareAndSet(current, "none"))
            {
                out.println(NodeControl.EVENT_PREFIX + "txn paused " + current + " " + txId);
                waitForKill();
            }
        };
        final TransferNode node = new TransferNode(NodeConfig.fromArgs(args), checkpoint);
        self.set(node);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "transfer-node-shutdown"));
        final NodeControl control = NodeControl.builder(node.system, node::close).output(out)
            .command("txn", words ->
            {
                if (words.length == 3 && "pause".equals(words[1]))
                {
                    armed.set(words[2]);
                    return "ok armed " + words[2];
                }
                return "error usage: txn pause <checkpoint>|none, got " + Arrays.toString(words);
            }).build();
        control.ready(node.transport.localAddress());
        control.run(System.in);
        System.exit(0);
    }

    private static void waitForKill()
    {
        try
        {
            new CountDownLatch(1).await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
