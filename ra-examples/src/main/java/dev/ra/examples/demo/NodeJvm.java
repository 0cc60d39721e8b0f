package dev.ra.examples.demo;

import dev.ra.ProcessRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link ToolboxNode} in a child JVM, started with {@link ProcessBuilder} on this JVM's class path and driven
 * through its standard input ({@code control=stdin}). Its standard error (logs) goes to a file. It can be killed the
 * hard way ({@link #kill()}, i.e. {@code kill -9}) and started again with the same settings.
 *
 * <p>Answers to commands and unsolicited lines (process messages, companion events) are kept apart, so a test or the
 * demo can wait for "the lock was granted to my process over there" while also sending commands. Every wait is
 * bounded. Thread-safe.
 */
public final class NodeJvm implements AutoCloseable
{
    private static final String PREFIX = "ra> ";
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final String nodeId;
    private final List<String> settings;
    private final Path logFile;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private Process process;
    private Writer stdin;
    private int starts;

    /**
     * @param nodeId   of the node, also passed as {@code node.id}.
     * @param settings {@link ToolboxNode} settings other than {@code node.id} and {@code control}.
     * @param logFile  where the child's standard error goes (appended across restarts).
     */
    public NodeJvm(final String nodeId, final List<String> settings, final Path logFile)
    {
        this.nodeId = nodeId;
        this.settings = List.copyOf(settings);
        this.logFile = logFile;
    }

    /**
     * @return the node's id.
     */
    public String nodeId()
    {
        return nodeId;
    }

    /**
     * Start the JVM and wait until its node listens.
     *
     * @return this.
     * @throws IllegalStateException if it does not start within 30 s.
     */
    public synchronized NodeJvm start()
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small, quick-starting JVMs: a toolbox node needs little memory, and 2-core machines run several of them.
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ToolboxNode.class.getName());
        command.add("node.id=" + nodeId);
        command.addAll(settings);
        command.add("control=stdin");
        try
        {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start a JVM for " + nodeId, ex);
        }
        starts++;
        answers.clear();
        events.clear();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Process started = process;
        final Thread reader = new Thread(() -> readOutput(started), "node-jvm-" + nodeId + "-" + starts);
        reader.setDaemon(true);
        reader.start();
        final String ready = nextAnswer();
        if (!ready.startsWith("ready " + nodeId))
        {
            throw new IllegalStateException(nodeId + " did not start: " + ready);
        }
        return this;
    }

    private void readOutput(final Process started)
    {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = out.readLine()))
            {
                if (line.startsWith(PREFIX))
                {
                    final String body = line.substring(PREFIX.length());
                    if (body.startsWith("message ") || body.startsWith("companion "))
                    {
                        events.add(body);
                    }
                    else
                    {
                        answers.add(body);
                    }
                }
            }
        }
        catch (final IOException ignored)
        {
            // The JVM died (or was killed): no more lines, and waits time out with a clear message.
        }
    }

    private String nextAnswer()
    {
        final String line = poll(answers, ANSWER_TIMEOUT);
        if (null == line)
        {
            throw new IllegalStateException(nodeId + " did not answer within " + ANSWER_TIMEOUT.toSeconds() +
                " s (alive: " + isAlive() + "); see " + logFile);
        }
        return line;
    }

    private static String poll(final BlockingQueue<String> queue, final Duration timeout)
    {
        try
        {
            return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /**
     * Send a control command and collect its answer lines up to the final one.
     *
     * @param command as in {@link ToolboxNode}'s class description.
     * @return the answer lines, without the {@code ra> } prefix.
     */
    public synchronized List<String> command(final String command)
    {
        try
        {
            stdin.write(command + "\n");
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot talk to " + nodeId, ex);
        }
        final List<String> lines = new ArrayList<>();
        while (true)
        {
            final String line = nextAnswer();
            lines.add(line);
            if (line.startsWith("ok ") || line.startsWith("error ") || line.startsWith("spawned "))
            {
                return lines;
            }
        }
    }

    /**
     * Create a process on this node; it reports every message it receives (see {@link #awaitEvent}).
     *
     * @return its reference.
     */
    public ProcessRef spawn()
    {
        final String[] words = command("spawn").get(0).split(" ");
        if (!"spawned".equals(words[0]))
        {
            throw new IllegalStateException(nodeId + " could not spawn a process: " + String.join(" ", words));
        }
        return new ProcessRef(words[1], Long.parseLong(words[2]));
    }

    /**
     * Close a process spawned here; its monitors see it exit normally.
     *
     * @param process spawned by {@link #spawn()}.
     */
    public void closeProcess(final ProcessRef process)
    {
        command("close " + process.id());
    }

    /**
     * Wait for an unsolicited line ({@code message <id> <message>} or {@code companion started|stopped <epoch>}),
     * dropping the lines before it that do not match.
     *
     * @param matching the line to wait for.
     * @param timeout  at most this long.
     * @return the line, or null if none came in time.
     */
    public String awaitEvent(final Predicate<String> matching, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime())
        {
            final String line = poll(events, Duration.ofNanos(left));
            if (null != line && matching.test(line))
            {
                return line;
            }
        }
        return null;
    }

    /**
     * {@code kill -9}: the JVM dies at once, without closing its sockets or processes politely.
     */
    public synchronized void kill()
    {
        if (null == process)
        {
            return;
        }
        process.destroyForcibly();
        try
        {
            process.waitFor(20, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ask the JVM to stop (SIGTERM: its shutdown hook closes the node), and kill it if it has not stopped in 5 s.
     */
    public synchronized void stop()
    {
        if (null == process || !process.isAlive())
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                kill();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /**
     * @return true if the JVM runs.
     */
    public synchronized boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    /**
     * @return the OS process id of the running JVM, or -1.
     */
    public synchronized long pid()
    {
        return null == process ? -1 : process.pid();
    }

    @Override
    public void close()
    {
        if (isAlive())
        {
            kill();
        }
    }
}
