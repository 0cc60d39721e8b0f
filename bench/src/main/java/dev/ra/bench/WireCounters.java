package dev.ra.bench;

import dev.ra.node.NodeControl;
import dev.ra.transport.netty.NettyTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transports' counters ({@code TransportStats}) of all the JVMs of a figure taken together (each node JVM's read
 * with the {@code stats} command of its control input, the client's own read directly), so that a figure can say what
 * a command costs on the wire: messages, flushes (each a write system call on a socket) and bytes, summed over every
 * JVM.
 */
final class WireCounters
{
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");
    private static final String STATS = NodeControl.PREFIX + "stats ";

    private final List<Process> nodes;
    private final List<BufferedReader> outputs;
    private final NettyTransport client;

    /**
     * @param nodes   the node JVMs, answering {@link NodeControl}'s commands on standard input.
     * @param outputs their standard output, read past the ready line.
     * @param client  the client JVM's (this JVM's) transport.
     */
    WireCounters(final List<Process> nodes, final List<BufferedReader> outputs, final NettyTransport client)
    {
        this.nodes = nodes;
        this.outputs = outputs;
        this.client = client;
    }

    /**
     * @return messages sent, flushes and bytes written so far, summed over the nodes and the client.
     */
    long[] read()
    {
        final long[] sum = add(new long[3], client.stats().toString());
        for (int i = 0; i < nodes.size(); i++)
        {
            add(sum, ask(nodes.get(i), outputs.get(i)));
        }
        return sum;
    }

    /**
     * @param before {@link #read} before the operations.
     * @param after  {@link #read} after them.
     * @param ops    operations in between.
     * @return messages, flushes and bytes per operation, over all JVMs.
     */
    static Json perOp(final long[] before, final long[] after, final long ops)
    {
        final double n = Math.max(1, ops);
        return new Json().put("messages", round((after[0] - before[0]) / n))
            .put("flushes", round((after[1] - before[1]) / n)).put("bytes", round((after[2] - before[2]) / n));
    }

    private static double round(final double value)
    {
        return Math.round(value * 100) / 100.0;
    }

    private static String ask(final Process node, final BufferedReader output)
    {
        try
        {
            final OutputStream in = node.getOutputStream();
            in.write("stats\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            // Event lines the node printed meanwhile are skipped.
            return CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    for (String line = output.readLine(); null != line; line = output.readLine())
                    {
                        if (line.startsWith(STATS))
                        {
                            return line;
                        }
                    }
                    throw new IllegalStateException("node closed its output before answering stats");
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }, ThreadPerTask.EXECUTOR).get(10, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("no stats from a node: " + ex, ex);
        }
    }

    private static long[] add(final long[] sum, final String stats)
    {
        final Matcher m = FIELD.matcher(stats);
        while (m.find())
        {
            final long value = Long.parseLong(m.group(2));
            switch (m.group(1))
            {
                case "messagesSent" -> sum[0] += value;
                case "flushes" -> sum[1] += value;
                case "bytesWritten" -> sum[2] += value;
                default ->
                {
                    // other counters are not per operation
                }
            }
        }
        return sum;
    }
}
