package dev.ra.tool;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The data-directory tool: {@code inspect}, {@code verify} and {@code dump} a ra-log data directory. Read-only: it
 * opens files without write access and does not take the storage's lock, so it can be pointed at the directory of a
 * running node without disturbing it (what a running node writes meanwhile may show up as a torn WAL tail, or a file
 * changing under the reader; stop the node for a definitive verify).
 *
 * <p>Exit status: 0 success (for {@code verify}: no damage), 1 damage found ({@code verify}), 2 the command could not
 * run (usage error, missing or unreadable directory, unknown server, machine class not loadable, a class missing
 * while decoding, out of memory). Errors are one line on standard error, never a stack trace.
 */
@Command(name = "ra-data-tool", mixinStandardHelpOptions = true, version = "ra-data-tool 0.1.0",
    description = "Inspect, verify and dump a ra-log data directory (read-only; takes no lock).",
    subcommands = {InspectCommand.class, VerifyCommand.class, DumpCommand.class})
public final class RaDataTool implements Runnable
{
    /** Success; for verify: no damage found. */
    public static final int CLEAN = 0;
    /** Verify found damage. */
    public static final int DAMAGED = 1;
    /** The command could not run: usage error, missing directory and the like. */
    public static final int FAILED = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Run the tool with the given output streams, as {@link #main} does.
     *
     * @param out  standard output.
     * @param err  standard error.
     * @param args the command line.
     * @return the exit status.
     */
    public static int run(final PrintWriter out, final PrintWriter err, final String... args)
    {
        final CommandLine line = new CommandLine(new RaDataTool());
        line.setOut(out);
        line.setErr(err);
        line.setExitCodeExceptionMapper(ex -> FAILED);
        line.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            commandLine.getErr().println("error: " + message(ex));
            commandLine.getErr().flush();
            return FAILED;
        });
        int status;
        try
        {
            status = line.execute(args);
        }
        catch (final LinkageError | VirtualMachineError ex)
        {
            // A class missing from the class path (one a machine's commands need), or a WAL file larger than the
            // heap: the command could not run. Left to the JVM, it printed a stack trace and exited 1, which says
            // damage was found.
            err.println("error: " + message(ex));
            status = FAILED;
        }
        out.flush();
        err.flush();
        return status;
    }

    private static String message(final Error error)
    {
        if (error instanceof OutOfMemoryError)
        {
            return "out of memory (" + error.getMessage() + "): the tool reads each WAL file whole; give the JVM " +
                "more heap than the node's WAL file size, e.g. java -Xmx1g -jar ...";
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    private static String message(final Exception ex)
    {
        if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException)
        {
            return ex.getMessage();
        }
        return ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: inspect, verify or dump");
    }
}
