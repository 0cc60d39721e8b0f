package dev.ra.node;

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
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node in a child JVM, driven through its standard input: the controlling side of {@link NodeControl}. The child
 * runs a main class that answers {@link NodeControl}'s commands (such as {@link NodeLauncher}) on this JVM's class
 * path, with {@code node.id} and {@code control=stdin} added to its settings; its standard error (logs) goes to a file.
 * It can be killed the hard way ({@link #kill()}, i.e. {@code kill -9}), paused and resumed with signals, and started
 * again with the same settings. Used by multi-process tests and demos.
 *
 * <p>Answers to commands and events (lines the node reports on its own: messages to processes spawned there, and
 * whatever the node adds) are kept apart, so that a caller can wait for "the lock was granted to my process over
 * there" while also sending commands. Every wait is bounded. Thread-safe.
 */
public final class NodeJvm implements AutoCloseable
{
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /** Put after a JVM's last answer once its output ended (no answer starts with a NUL). */
    private static final String EXITED = "\u0000exited";
    /**
     * The JVM option that lets Netty load its native transport without a warning on JDK 24 and later (JDK 17 accepts
     * it too); for every child JVM that runs Netty.
     */
    public static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private final String nodeId;
    private final String mainClass;
    private final List<String> jvmOptions;
    private final List<String> settings;
    private final Path logFile;
    /** The answers of the JVM started last; each start has its own, so a dead JVM's end is not read as the next's. */
    private volatile BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private Process process;
    private Writer stdin;
    private int starts;

    /**
     * @param nodeId     of the node, also passed as {@code node.id}.
     * @param mainClass  the child's main class, which answers {@link NodeControl}'s commands.
     * @param jvmOptions of the child JVM, such as {@code -Xmx128m}.
     * @param settings   the main class's arguments other than {@code node.id} and {@code control}.
     * @param logFile    where the child's standard error goes (appended across restarts).
     */
    public NodeJvm(final String nodeId, final String mainClass, final List<String> jvmOptions,
        final List<String> settings, final Path logFile)
    {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        this.jvmOptions = List.copyOf(jvmOptions);
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
        // Netty loads its native transport with a restricted method, which JDK 24 and later warn about otherwise.
        command.add(ENABLE_NATIVE_ACCESS);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
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
        final BlockingQueue<String> startAnswers = new LinkedBlockingQueue<>();
        answers = startAnswers;
        events.clear();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Process started = process;
        final Thread reader = new Thread(() -> readOutput(started, startAnswers), "node-jvm-" + nodeId + "-" +
            starts);
        reader.setDaemon(true);
        reader.start();
        final String ready = nextAnswer();
        if (!ready.startsWith("ready " + nodeId))
        {
            throw new IllegalStateException(nodeId + " did not start: " + ready);
        }
        return this;
    }

    private void readOutput(final Process started, final BlockingQueue<String> startAnswers)
    {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = out.readLine()))
            {
                if (line.startsWith(NodeControl.EVENT_PREFIX))
                {
                    events.add(line.substring(NodeControl.EVENT_PREFIX.length()));
                }
                else if (line.startsWith(NodeControl.PREFIX))
                {
                    startAnswers.add(line.substring(NodeControl.PREFIX.length()));
                }
            }
        }
        catch (final IOException ignored)
        {
            // The JVM died (or was killed): no more lines.
        }
        // Its output ended, so it will never answer: a wait for an answer ends at once, not after its timeout.
        startAnswers.add(EXITED);
    }

    private String nextAnswer()
    {
        final BlockingQueue<String> current = answers;
        final String line = poll(current, ANSWER_TIMEOUT);
        if (EXITED.equals(line))
        {
            // Kept for the next wait, which must not wait either.
            current.add(EXITED);
            throw new IllegalStateException(nodeId + " exited" + exitStatus() + " without answering; see " + logFile +
                lastLogLine());
        }
        if (null == line)
        {
            throw new IllegalStateException(nodeId + " did not answer within " + ANSWER_TIMEOUT.toSeconds() +
                " s (alive: " + isAlive() + "); see " + logFile);
        }
        return line;
    }

    private String exitStatus()
    {
        final Process last = process;
        try
        {
            // The output ends just before the process does: give it a moment to report its status.
            return null != last && last.waitFor(5, TimeUnit.SECONDS) ? " with status " + last.exitValue() : "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private String lastLogLine()
    {
        try
        {
            final List<String> lines = null == logFile || !Files.exists(logFile) ? List.of() :
                Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : " (its last line: " + lines.get(lines.size() - 1).strip() + ")";
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return "";
        }
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
     * @param command one of {@link NodeControl}'s, or one the node adds.
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
            if (line.startsWith("ok ") || line.startsWith("error ") || line.startsWith("spawned ") ||
                line.startsWith("stats "))
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
     * Wait for an event ({@code message <id> <message>} for a process spawned there, or one the node reports),
     * dropping the events before it that do not match.
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
     * Send the JVM a signal with {@code kill}, e.g. {@code STOP} to pause it (its connections stay open) and
     * {@code CONT} to resume it.
     *
     * @param signal the signal's name.
     * @throws IllegalStateException if {@code kill} fails.
     */
    public synchronized void signal(final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + nodeId + ") failed");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
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
