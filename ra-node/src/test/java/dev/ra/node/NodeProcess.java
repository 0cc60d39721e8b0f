package dev.ra.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One node in its own JVM: {@link NodeLauncher} started with {@link ProcessBuilder} on this JVM's class path, driven
 * through its standard input ({@code control=stdin}, see {@link NodeControl}); its log goes to
 * {@code target/node-logs}.
 */
final class NodeProcess implements AutoCloseable
{
    private final String node;
    private final List<String> settings;
    private final Path logDir;
    private final List<String> jvmOptions;
    private Process process;
    private Writer stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private int starts;

    NodeProcess(final String node, final List<String> settings, final Path logDir, final List<String> jvmOptions)
    {
        this.node = node;
        this.settings = List.copyOf(settings);
        this.logDir = logDir;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    String node()
    {
        return node;
    }

    /**
     * Start the JVM and wait for its ready line.
     */
    NodeProcess start()
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeLauncher.class.getName());
        command.addAll(settings);
        command.add("control=stdin");
        try
        {
            Files.createDirectories(logDir);
            final ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve(node + ".log").toFile()));
            process = builder.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        starts++;
        answers.clear();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Process started = process;
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = out.readLine()))
                {
                    // Messages to processes spawned there are not answers to commands.
                    if (line.startsWith(NodeControl.PREFIX) && !line.startsWith(NodeControl.PREFIX + "message "))
                    {
                        answers.add(line.substring(NodeControl.PREFIX.length()));
                    }
                }
            }
            catch (final IOException ignored)
            {
                // The process died; answers stop.
            }
        }, "node-" + node + "-stdout-" + starts);
        reader.setDaemon(true);
        reader.start();
        final String ready = next(30);
        if (!ready.startsWith("ready " + node))
        {
            throw new AssertionError(node + " did not start: " + ready);
        }
        return this;
    }

    private String next(final int seconds)
    {
        try
        {
            final String line = answers.poll(seconds, TimeUnit.SECONDS);
            if (null == line)
            {
                throw new AssertionError(node + " did not answer within " + seconds + " s (alive: " +
                    (null != process && process.isAlive()) + "); see " + logDir.resolve(node + ".log"));
            }
            return line;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Send a control command and collect its answer lines up to the final one.
     */
    synchronized List<String> command(final String command)
    {
        try
        {
            stdin.write(command + "\n");
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot talk to " + node, ex);
        }
        final List<String> lines = new ArrayList<>();
        while (true)
        {
            final String line = next(20);
            lines.add(line);
            if (line.startsWith("ok ") || line.startsWith("error ") || line.startsWith("spawned ") ||
                line.startsWith("stats "))
            {
                return lines;
            }
        }
    }

    /**
     * kill -9.
     */
    void kill()
    {
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
     * Send the JVM a signal with {@code kill}, e.g. {@code STOP} to pause it (its connections stay open) and
     * {@code CONT} to resume it.
     */
    void signal(final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " (" + node + ") failed");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    static String hostPort(final InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close()
    {
        if (null != process && process.isAlive())
        {
            kill();
        }
    }
}
