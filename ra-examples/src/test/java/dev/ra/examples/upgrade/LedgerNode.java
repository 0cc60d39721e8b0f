package dev.ra.examples.upgrade;

import dev.ra.MachineVersionStatus;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
import dev.ra.spi.Storage;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One node of the machine-upgrade test, in a child JVM: a {@link RaSystem} on Netty with ra-log storage that hosts a
 * member of the {@value #CLUSTER} cluster. The machine class {@value LedgerBuilds#MACHINE_CLASS} is loaded from the
 * build directory named by the system property {@value #BUILD_PROPERTY}: the same class name, version 1 or 2 by
 * directory. Besides {@link NodeControl}'s commands it answers
 * <pre>
 * mv    ok mv effective=.. supported=.. applied=.. installed=.. size=.. digest=.. switchedAt=.. error=..|-
 *       (or "ok mv not-running" when its member is not running)
 * </pre>
 */
final class LedgerNode
{
    static final String CLUSTER = "ledger";
    static final String BUILD_PROPERTY = "ra.test.ledger.build";

    private LedgerNode()
    {
    }

    /**
     * @param nodeId   of the node.
     * @param settings of the node other than {@code node.id} and {@code control}.
     * @param build    the directory of the machine build to load.
     * @param logFile  for the child's standard error.
     * @return the node in a child JVM, not started yet.
     */
    static NodeJvm childJvm(final String nodeId, final List<String> settings, final Path build, final Path logFile)
    {
        return new NodeJvm(nodeId, LedgerNode.class.getName(),
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-D" + BUILD_PROPERTY + "=" + build.toAbsolutePath()),
            settings, logFile);
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
        final Supplier<StateMachine<?, ?>> machine = loadMachine(Path.of(System.getProperty(BUILD_PROPERTY)));
        final NodeConfig config = NodeConfig.fromArgs(args);
        final NettyTransport transport = new NettyTransport(config.transportConfig());
        final Storage storage = config.openStorage();
        final RaSystem system = config.applyTo(RaSystem.builder().defaultTimeout(Duration.ofSeconds(10)), transport,
            storage).registerMachine(CLUSTER, machine).build();
        final Runnable close = () ->
        {
            system.close();
            storage.close();
        };
        final ServerId member = new ServerId(CLUSTER, config.nodeId());
        final NodeControl control = NodeControl.builder(system, close).output(out)
            .command("mv", words -> machineVersion(system, member)).build();
        control.ready(transport.localAddress());
        control.run(System.in);
        System.exit(0);
    }

    private static String machineVersion(final RaSystem system, final ServerId member)
    {
        if (!system.isRunning(member))
        {
            return "ok mv not-running";
        }
        final ServerOverview o = system.overview(member);
        final MachineVersionStatus mv = o.machineVersion();
        final Map<String, Object> m = o.machineOverview();
        return "ok mv effective=" + mv.effective() + " supported=" + mv.supported() + " applied=" + o.lastApplied() +
            " installed=" + o.counters().get("snapshots_installed") + " size=" + m.get("size") + " digest=" +
            m.get("digest") + " switchedAt=" + m.get("switchedAt") + " error=" +
            (mv.stopped() ? mv.error().replace('\n', ' ') : "-");
    }

    private static Supplier<StateMachine<?, ?>> loadMachine(final Path build)
    {
        try
        {
            final URLClassLoader loader = new URLClassLoader(new URL[] {build.toUri().toURL()},
                LedgerNode.class.getClassLoader());
            final Class<?> type = Class.forName(LedgerBuilds.MACHINE_CLASS, true, loader);
            return () ->
            {
                try
                {
                    return (StateMachine<?, ?>)type.getDeclaredConstructor().newInstance();
                }
                catch (final ReflectiveOperationException ex)
                {
                    throw new IllegalStateException("cannot make a " + type, ex);
                }
            };
        }
        catch (final MalformedURLException | ClassNotFoundException ex)
        {
            throw new IllegalStateException("no machine build in " + build, ex);
        }
    }
}
