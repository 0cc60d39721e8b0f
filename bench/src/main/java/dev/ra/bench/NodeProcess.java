package dev.ra.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node JVM of the failover comparison, driven over a line protocol (see {@link FailoverNode}): its standard output
 * is read by a daemon thread into a queue the harness shares between its nodes, its standard error goes to a log file.
 * It can be stopped in order, killed, paused and resumed; {@link #close()} always leaves no process behind (a paused
 * one is resumed before it is killed).
 */
final class NodeProcess implements AutoCloseable
{
    /** One line a node printed. */
    record Line(NodeProcess from, String text)
    {
    }

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private boolean paused;

    private NodeProcess(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    /**
     * Start a node JVM and wait until it prints {@code ready}.
     *
     * @param name     of the node.
     * @param command  java command line.
     * @param log      file its standard error is appended to.
     * @param lines    where its output lines go.
     * @param deadline System.nanoTime() by which it must be ready.
     * @return the running node.
     */
    static NodeProcess start(final String name, final List<String> command, final Path log,
        final BlockingQueue<Line> lines, final long deadline)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final NodeProcess node = new NodeProcess(name, process);
        final Thread reader = new Thread(() -> node.pump(lines), "node-" + name + "-out");
        reader.setDaemon(true);
        reader.start();
        try
        {
            node.awaitLine(lines, "ready", deadline);
        }
        catch (final RuntimeException ex)
        {
            node.close();
            throw new IllegalStateException("node " + name + " did not start (see " + log + ")", ex);
        }
        return node;
    }

    private void pump(final BlockingQueue<Line> lines)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                lines.add(new Line(this, line));
            }
        }
        catch (final IOException ex)
        {
            // the process is gone
        }
    }

    /**
     * Wait for a line of this node that starts with {@code prefix}, dropping the lines before it.
     *
     * @return the line.
     */
    String awaitLine(final BlockingQueue<Line> lines, final String prefix, final long deadline)
    {
        while (true)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                throw new IllegalStateException("node " + name + ": no '" + prefix + "' line in time");
            }
            final Line line;
            try
            {
                line = lines.poll(left, TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            if (null != line && line.from() == this && line.text().startsWith(prefix))
            {
                return line.text();
            }
        }
    }

    /**
     * @param line to send; ignored if the process is gone.
     */
    void send(final String line)
    {
        try
        {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }
        catch (final IOException ex)
        {
            // the process is gone: the caller's deadline decides
        }
    }

    String name()
    {
        return name;
    }

    /**
     * @return the process id, to read its CPU time ({@link ProcessCpu}).
     */
    long pid()
    {
        return process.pid();
    }

    boolean alive()
    {
        return process.isAlive();
    }

    /** kill -9. */
    void kill()
    {
        process.destroyForcibly();
        awaitExit(10);
    }

    /**
     * SIGSTOP or SIGCONT, returning once {@code kill} has sent it.
     *
     * @param pause true for SIGSTOP.
     */
    void pause(final boolean pause)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", String.valueOf(process.pid()))
                .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                kill.destroyForcibly();
                throw new IllegalStateException("kill " + (pause ? "-STOP" : "-CONT") + " failed for " + name);
            }
            paused = pause;
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

    /**
     * Wait for the process to end, killing it if it has not after {@code seconds}.
     */
    void awaitExit(final long seconds)
    {
        try
        {
            if (!process.waitFor(seconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        if (paused && process.isAlive())
        {
            try
            {
                pause(false);
            }
            catch (final RuntimeException ex)
            {
                // killed below all the same
            }
        }
        process.destroyForcibly();
        awaitExit(10);
    }
}
