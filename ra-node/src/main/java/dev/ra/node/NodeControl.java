package dev.ra.node;

import dev.ra.FailedRestart;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.transport.netty.NettyTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The control loop of a node process: reads one command per line (from standard input) and answers on an output,
 * each line starting with {@code ra> }, so that a test, a demo or an operator drives a node in a child JVM. The
 * commands every node answers:
 *
 * <pre>
 * status           one line per local server, then ok status:
 *                  status &lt;server&gt; &lt;role&gt; term=.. leader=.. commit=.. applied=..
 *                  or, for a server that gives no overview (stuck, stopping),
 *                  status &lt;server&gt; unavailable &lt;reason&gt;
 *                  or, for a stored server that does not run because its restart failed
 *                  ({@link RaSystem#failedRestarts()}: its machine not registered, its storage damaged),
 *                  status &lt;server&gt; restart-failed &lt;reason&gt;
 * spawn            create a process on this node that reports each message it receives as the event
 *                  message &lt;id&gt; &lt;message&gt;; answers spawned &lt;node&gt; &lt;id&gt;
 * close &lt;id&gt;       close that process (its monitors see Down NORMAL); answers ok close
 * stop             close the node; answers ok stop, and the loop ends
 * </pre>
 *
 * with {@link Builder#transport}, those of the node's Netty transport:
 *
 * <pre>
 * block &lt;node&gt;     cut the transport off from a node (fault injection: a partition); answers ok block
 * unblock &lt;node&gt;   heal that; answers ok unblock
 * mute &lt;node&gt;      drop, unread, what arrives from a node, connections up (fault injection: a silent
 *                  partition one way; mute on both sides for both ways); answers ok mute
 * unmute &lt;node&gt;    heal that; answers ok unmute
 * stats            the transport's counters: stats ...
 * </pre>
 *
 * plus those a node adds with {@link Builder#command}. A command that fails answers {@code error <reason>}, an
 * unknown one {@code error unknown command <word>}; neither stops the node. The end of the input stops the node too.
 * Before reading, a node prints {@code ready <node> <host:port>} ({@link #ready}), preceded by the event
 * {@code restart-failed <server> <reason>} for each stored server that does not run because its restart failed.
 *
 * <p>Events, lines the node writes on its own (process messages, and what the node reports with {@link #event}), start
 * with {@code ra> event } so that a controller ({@link NodeJvm}) tells them from answers. Answers and events share
 * the output; each line is written whole. Thread-safe.
 */
public final class NodeControl
{
    /** Starts every line a node writes for its controller. */
    public static final String PREFIX = "ra> ";
    /** Starts every event: a line the node writes on its own, not in answer to a command. */
    public static final String EVENT_PREFIX = PREFIX + "event ";

    /**
     * A command a node adds to the common ones.
     */
    @FunctionalInterface
    public interface Command
    {
        /**
         * @param words the command line split on white space; {@code words[0]} is the command's name.
         * @return the answer line, without {@link #PREFIX}.
         * @throws RuntimeException answered as {@code error <reason>}.
         */
        String run(String[] words);
    }

    private final RaSystem system;
    private final Runnable close;
    private final PrintStream out;
    private final Map<String, Command> commands;
    private final Map<Long, RaProcess> processes = new ConcurrentHashMap<>();

    private NodeControl(final Builder builder)
    {
        this.system = builder.system;
        this.close = builder.close;
        this.out = builder.out;
        this.commands = Map.copyOf(builder.commands);
    }

    /**
     * @param system the node's system (status, spawn).
     * @param close  closes the node (on {@code stop} and at the end of the input).
     * @return a builder.
     */
    public static Builder builder(final RaSystem system, final Runnable close)
    {
        return new Builder(system, close);
    }

    /**
     * Print the line that says the node listens: {@code ready <node> <host:port>}, after the event
     * {@code restart-failed <server> <reason>} for each stored server that does not run because its restart failed
     * ({@link RaSystem#failedRestarts()}): a member missing from its cluster, which a node saying only "ready" hid.
     *
     * @param address the node listens on.
     */
    public void ready(final InetSocketAddress address)
    {
        for (final FailedRestart failed : system.failedRestarts())
        {
            event("restart-failed " + failed.server() + " " + oneLine(failed.reason()));
        }
        report("ready " + system.nodeId() + " " + address.getHostString() + ":" + address.getPort());
    }

    /**
     * Print an event: a line for the controller outside any answer.
     *
     * @param line without {@link #EVENT_PREFIX}.
     */
    public void event(final String line)
    {
        out.println(EVENT_PREFIX + line);
    }

    private void report(final String line)
    {
        out.println(PREFIX + line);
    }

    /**
     * Read and execute commands until {@code stop} or the end of the input; the node is closed either way.
     *
     * @param in the commands, one per line (UTF-8).
     * @throws IOException if reading fails (the node is left running).
     */
    public void run(final InputStream in) throws IOException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while (null != (line = reader.readLine()))
        {
            if (!line.isBlank() && !execute(line))
            {
                return;
            }
        }
        close.run();
    }

    /**
     * Execute one command line and print its answer.
     *
     * @param line the command.
     * @return false once the node is stopped.
     */
    public boolean execute(final String line)
    {
        final String[] words = line.trim().split("\\s+");
        try
        {
            switch (words[0])
            {
                case "status" -> status();
                case "spawn" -> spawn();
                case "close" -> closeProcess(words);
                case "stop" ->
                {
                    report("ok stop");
                    close.run();
                    return false;
                }
                default ->
                {
                    final Command command = commands.get(words[0]);
                    report(null == command ? "error unknown command " + words[0] : command.run(words));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            report("error " + Objects.toString(ex.getMessage(), ex.getClass().getName()));
        }
        return true;
    }

    private void status()
    {
        for (final ServerId server : system.runningServers())
        {
            final ServerOverview o;
            try
            {
                o = system.overview(server);
            }
            catch (final RuntimeException ex)
            {
                // One server that does not answer (stuck, stopping) must not hide the others.
                report("status " + server + " unavailable " + Objects.toString(ex.getMessage(),
                    ex.getClass().getName()));
                continue;
            }
            report("status " + server + " " + o.role() + " term=" + o.currentTerm() + " leader=" + o.leader() +
                " commit=" + o.commitIndex() + " applied=" + o.lastApplied());
        }
        for (final FailedRestart failed : system.failedRestarts())
        {
            report("status " + failed.server() + " restart-failed " + oneLine(failed.reason()));
        }
        report("ok status");
    }

    /**
     * @return the text on one line: a line break in it would start a line its reader takes for another answer.
     */
    private static String oneLine(final String text)
    {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    private void spawn()
    {
        final long[] id = new long[1];
        final RaProcess process = system.spawn(message -> event("message " + id[0] + " " + message));
        id[0] = process.ref().id();
        processes.put(id[0], process);
        report("spawned " + process.ref().node() + " " + process.ref().id());
    }

    private void closeProcess(final String[] words)
    {
        if (words.length != 2)
        {
            throw new IllegalArgumentException("usage: close <id>");
        }
        final long id;
        try
        {
            id = Long.parseLong(words[1]);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("close: expected a process id (the number spawn answered), got '" +
                words[1] + "'", ex);
        }
        final RaProcess process = processes.remove(id);
        if (null != process)
        {
            process.close();
        }
        report("ok close");
    }

    /**
     * Builds a {@link NodeControl}.
     */
    public static final class Builder
    {
        private final RaSystem system;
        private final Runnable close;
        private final Map<String, Command> commands = new LinkedHashMap<>();
        private PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

        private Builder(final RaSystem system, final Runnable close)
        {
            this.system = Objects.requireNonNull(system, "system");
            this.close = Objects.requireNonNull(close, "close");
        }

        /**
         * @param out where answers go; default standard output (UTF-8, flushed at each line).
         * @return this builder.
         */
        public Builder output(final PrintStream out)
        {
            this.out = Objects.requireNonNull(out, "out");
            return this;
        }

        /**
         * Add a command.
         *
         * @param name    the command's first word; not one of the common commands, nor one added already.
         * @param command answers it.
         * @return this builder.
         */
        public Builder command(final String name, final Command command)
        {
            Objects.requireNonNull(command, "command");
            if (List.of("status", "spawn", "close", "stop").contains(name) ||
                null != commands.putIfAbsent(name, command))
            {
                throw new IllegalArgumentException("the control command '" + name + "' exists already");
            }
            return this;
        }

        /**
         * Add the commands of the node's transport: {@code block <node>}, {@code unblock <node>},
         * {@code mute <node>}, {@code unmute <node>} and {@code stats} (see the class description).
         *
         * @param transport of the node.
         * @return this builder.
         */
        public Builder transport(final NettyTransport transport)
        {
            Objects.requireNonNull(transport, "transport");
            command("block", words -> onNode(words, transport::block));
            command("unblock", words -> onNode(words, transport::unblock));
            command("mute", words -> onNode(words, transport::mute));
            command("unmute", words -> onNode(words, transport::unmute));
            return command("stats", words -> "stats " + transport.stats());
        }

        /**
         * Run a command of the form {@code <name> <node>}.
         */
        private static String onNode(final String[] words, final Consumer<String> nodeAction)
        {
            if (words.length != 2)
            {
                throw new IllegalArgumentException("usage: " + words[0] + " <node>");
            }
            nodeAction.accept(words[1]);
            return "ok " + words[0];
        }

        /**
         * @return the control loop.
         */
        public NodeControl build()
        {
            return new NodeControl(this);
        }
    }
}
