package dev.ra.examples.watch;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.lease.LeasedKvClient;
import dev.ra.examples.lease.LeasedKvNodeSystem;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A node for the multi-JVM watcher test: a {@link RaSystem} on Netty hosting a member of the leased KV cluster
 * {@link #CLUSTER}. In a child JVM it answers {@link NodeControl}'s commands plus {@code watch <prefix> <file>}: watch
 * the keys under the prefix from the revision after the last one recorded in the file, and record every batch
 * delivered there, durably, before taking the next (answers {@code ok watch <watchId>}).
 *
 * <p>The file is the watcher's own durable position: one line per revision, {@code <revision> <key> <key>...}, each
 * written and forced before the listener returns. A line cut short by a kill is not a record: it is dropped when the
 * file is read again.
 */
final class WatchNode implements AutoCloseable
{
    static final String CLUSTER = "watched";
    static final List<String> MEMBER_NODES = LeasedKvNodeSystem.MEMBER_NODES;

    private final LeasedKvNodeSystem node;
    private final List<AutoCloseable> watchers = new ArrayList<>();

    private WatchNode(final NodeConfig config)
    {
        this.node = new LeasedKvNodeSystem(config, CLUSTER);
    }

    static WatchNode start(final String[] args)
    {
        return new WatchNode(NodeConfig.fromArgs(args));
    }

    static NodeJvm childJvm(final String nodeId, final List<String> settings, final Path logFile)
    {
        return new NodeJvm(nodeId, WatchNode.class.getName(),
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), settings, logFile);
    }

    static List<ServerId> members()
    {
        return LeasedKvNodeSystem.members(CLUSTER);
    }

    RaSystem system()
    {
        return node.system();
    }

    NettyTransport transport()
    {
        return node.transport();
    }

    LeasedKvClient client()
    {
        return node.client();
    }

    /**
     * One revision as recorded in a watcher's file.
     *
     * @param revision of the batch.
     * @param keys     of its events, in order.
     */
    record Recorded(long revision, List<String> keys)
    {
    }

    /**
     * @param file a watcher's record, possibly absent or ending in a line cut short.
     * @return the complete lines, in file order.
     */
    static List<Recorded> read(final Path file)
    {
        if (!Files.exists(file))
        {
            return List.of();
        }
        try
        {
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            final String complete = text.substring(0, text.lastIndexOf('\n') + 1);
            final List<Recorded> lines = new ArrayList<>();
            for (final String line : complete.split("\n"))
            {
                if (line.isEmpty())
                {
                    continue;
                }
                final String[] words = line.split(" ");
                lines.add(new Recorded(Long.parseLong(words[0]), List.of(words).subList(1, words.length)));
            }
            return lines;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        for (final AutoCloseable watcher : watchers)
        {
            try
            {
                watcher.close();
            }
            catch (final Exception ex)
            {
                // Closing anyway.
            }
        }
        node.close();
    }

    private String watch(final String[] words)
    {
        if (words.length != 3)
        {
            return "error usage: watch <prefix> <file>";
        }
        final Path file = Path.of(words[2]);
        final List<Recorded> recorded = read(file);
        final long last = recorded.isEmpty() ? 0 : recorded.get(recorded.size() - 1).revision();
        try
        {
            // Drop a line cut short by a kill, so the next record starts on a line of its own.
            final StringBuilder kept = new StringBuilder();
            recorded.forEach(r -> kept.append(line(r.revision(), r.keys())));
            Files.writeString(file, kept, StandardCharsets.UTF_8);
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            final Watcher watcher = Watcher.watch(client().cluster(), words[1], last + 1,
                batch -> record(channel, batch), compacted -> { });
            watchers.add(watcher);
            watchers.add(channel);
            return "ok watch " + watcher.watchId();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void record(final FileChannel channel, final EventBatch batch)
    {
        final List<String> keys = batch.events().stream().map(WatchEvent::key).toList();
        try
        {
            final ByteBuffer bytes = ByteBuffer.wrap(line(batch.revision(), keys).getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(false);
        }
        catch (final IOException ex)
        {
            // The watcher logs it; without the record the position is not advanced for the next run.
            throw new UncheckedIOException(ex);
        }
    }

    private static String line(final long revision, final List<String> keys)
    {
        return revision + " " + String.join(" ", keys) + "\n";
    }

    /**
     * Run a node until {@code stop} or the end of standard input.
     *
     * @param args {@link NodeConfig} settings.
     * @throws IOException if standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        if (null == System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final WatchNode node = start(Arrays.copyOf(args, args.length));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "watch-node-shutdown"));
        final NodeControl control = NodeControl.builder(node.system(), node::close).output(out)
            .command("watch", node::watch).build();
        control.ready(node.transport().localAddress());
        control.run(System.in);
        System.exit(0);
    }
}
