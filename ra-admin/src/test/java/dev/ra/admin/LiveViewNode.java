package dev.ra.admin;

import dev.ra.RaSystem;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.spi.Storage;
import dev.ra.testkit.KvMachine;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A node for the live view's browser test, run in a child JVM ({@code dev.ra.node.NodeJvm}): a {@link RaSystem} on
 * Netty with the test kit's {@link KvMachine} registered as {@code kv}, and its {@link AdminServer} on loopback.
 * Settings are {@link NodeConfig}'s plus {@code admin.port=N} and {@code admin.peers=node=url,...}; it reports the
 * event {@code admin <url>}, then {@code ready}, and answers {@link NodeControl}'s commands on standard input.
 */
public final class LiveViewNode
{
    private LiveViewNode()
    {
    }

    /**
     * @param args settings, {@code key=value}.
     * @throws IOException if standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        final Map<String, String> settings = new HashMap<>();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final NodeConfig config = NodeConfig.fromArgs(Set.copyOf(AdminServer.Builder.SETTINGS), args);
        final NettyTransport transport = new NettyTransport(config.transportConfig());
        final Storage storage = config.openStorage();
        final RaSystem system = config.applyTo(RaSystem.builder(), transport, storage)
            .registerMachine("kv", KvMachine::new).build();
        final AdminServer admin = AdminServer.builder().system(system).reachability(transport::isReachable)
            .settings(settings).build();
        admin.start();
        final Runnable close = () ->
        {
            admin.close();
            system.close();
            storage.close();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(close, "live-view-node-shutdown"));
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final NodeControl control = NodeControl.builder(system, close).output(out).build();
        control.event("admin " + admin.url());
        control.ready(transport.localAddress());
        control.run(System.in);
        System.exit(0);
    }
}
