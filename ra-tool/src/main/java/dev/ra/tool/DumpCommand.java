package dev.ra.tool;

import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.log.DataDirectoryReader;
import dev.ra.log.DataDirectoryReader.Entry;
import dev.ra.log.DataDirectoryReader.ServerFiles;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dump DIR --server S [--from I] [--to J] [--machine CLASS]}: one line per entry of a server's log, as recovery
 * would see it (segments, then WAL files not yet flushed): index, term, kind, payload size, and the command, decoded
 * with the machine's command codec when {@code --machine} names a {@link StateMachine} class on the class path (it
 * is instantiated with its public no-argument constructor), else a hex preview. At most {@code --limit} entries.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print a server's log entries, one line each: index, term, kind, size, command.")
final class DumpCommand implements Callable<Integer>
{
    private static final int HEX_PREVIEW = 32;
    private static final int MAX_LIMIT = 1_000_000;

    @Parameters(index = "0", paramLabel = "DIR", description = "the node's data directory")
    Path directory;

    @Option(names = "--server", required = true, paramLabel = "S",
        description = "server id (name@node) or its directory name under servers/")
    String server;

    @Option(names = "--from", paramLabel = "I", description = "first index (default: the log's first)")
    Long from;

    @Option(names = "--to", paramLabel = "J", description = "last index (default: from + limit - 1)")
    Long to;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
        description = "most entries printed (default ${DEFAULT-VALUE}, at most " + MAX_LIMIT + ")")
    int limit;

    @Option(names = "--machine", paramLabel = "CLASS",
        description = "a StateMachine class whose command codec decodes the commands")
    String machine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        if (limit < 1 || limit > MAX_LIMIT)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1.." + MAX_LIMIT);
        }
        final Codec<?> codec = null == machine ? null : commandCodec(machine);
        final DataDirectoryReader reader = DataDirectoryReader.open(directory);
        final ServerFiles files = reader.servers().stream()
            .filter(s -> s.directoryName().equals(server) || (null != s.id() && s.id().toString().equals(server)))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(directory + ": no server " + server + " (inspect lists " +
                "them)"));
        final long first = null == from ? reader.logRange(files).firstIndex() : from;
        // Saturated: a --from near the largest index must not wrap round to a negative end.
        final long lastWithinLimit = first > Long.MAX_VALUE - (limit - 1) ? Long.MAX_VALUE : first + limit - 1;
        final long last = null == to ? lastWithinLimit : Math.min(to, lastWithinLimit);
        if (first < 1 || last < first)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "empty range " + first + ".." + last);
        }
        final PrintWriter out = spec.commandLine().getOut();
        // Entries a damaged segment or WAL file made unreadable leave gaps: say so rather than skip them silently.
        final long[] next = {first};
        reader.entries(files, first, last, entry ->
        {
            if (entry.index() > next[0])
            {
                out.println(missing(next[0], entry.index() - 1));
            }
            out.println(line(entry, codec));
            next[0] = entry.index() + 1;
        });
        if (next[0] == first)
        {
            out.println("no entries in " + first + ".." + last + " (inspect shows the log's range)");
        }
        else if (next[0] <= last && next[0] <= reader.logRange(files).lastIndex())
        {
            out.println(missing(next[0], Math.min(last, reader.logRange(files).lastIndex())));
        }
        // --to beyond --limit: the dump stops at the limit, and says so rather than pass for the whole range.
        final long cutTo = Math.min(null == to ? last : to, reader.logRange(files).lastIndex());
        if (null != to && last < cutTo)
        {
            out.println((last + 1) + ".." + cutTo + "  NOT PRINTED (--limit " + limit + "; raise it, up to " +
                MAX_LIMIT + ", or start a dump at --from " + (last + 1) + ")");
        }
        return RaDataTool.CLEAN;
    }

    private static String missing(final long from, final long to)
    {
        return from + ".." + to + "  MISSING (in no readable segment or WAL file: verify names the damage)";
    }

    private static Codec<?> commandCodec(final String className)
    {
        final Object instance;
        try
        {
            final Class<?> type = Class.forName(className);
            if (!StateMachine.class.isAssignableFrom(type))
            {
                throw new IllegalArgumentException("--machine " + className + " is not a " +
                    StateMachine.class.getName());
            }
            instance = type.getConstructor().newInstance();
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalArgumentException("--machine " + className + ": no such class on the class path");
        }
        catch (final ReflectiveOperationException | LinkageError ex)
        {
            throw new IllegalArgumentException("--machine " + className + ": cannot instantiate it with a public " +
                "no-argument constructor (" + ex + ")");
        }
        return ((StateMachine<?, ?>)instance).commandCodec();
    }

    static String line(final Entry entry, final Codec<?> codec)
    {
        final String head = entry.index() + "  term " + entry.term();
        if (null != entry.damage())
        {
            return head + "  DAMAGED " + entry.damage();
        }
        final LogEntry log = entry.entry();
        final EntryPayload payload = log.payload();
        final String kind;
        final String detail;
        if (payload instanceof UserCommand command)
        {
            kind = "command";
            detail = command(command, codec);
        }
        else if (payload instanceof EntryPayload.Noop noop)
        {
            kind = "noop";
            detail = "machine version " + noop.machineVersion();
        }
        else if (payload instanceof EntryPayload.Builtin builtin)
        {
            kind = "builtin";
            detail = String.valueOf(builtin.command());
        }
        else if (payload instanceof EntryPayload.ClusterChange change)
        {
            kind = "cluster-change";
            detail = String.valueOf(change.members());
        }
        else
        {
            kind = "delete-cluster";
            detail = "";
        }
        return head + "  " + kind + "  " + entry.size() + " bytes" + (detail.isEmpty() ? "" : "  " + detail);
    }

    private static String command(final UserCommand command, final Codec<?> codec)
    {
        final Bytes data = command.dataIfEncoded();
        if (null != codec)
        {
            try
            {
                return String.valueOf(command.value(codec));
            }
            catch (final RuntimeException ex)
            {
                return "undecodable with the machine's codec (" + ex.getMessage() + "): " + hex(data);
            }
        }
        return null == data ? String.valueOf(command.valueIfDecoded()) : hex(data);
    }

    private static String hex(final Bytes data)
    {
        if (null == data)
        {
            return "";
        }
        final int n = Math.min(HEX_PREVIEW, data.length());
        final byte[] preview = new byte[n];
        for (int i = 0; i < n; i++)
        {
            preview[i] = data.byteAt(i);
        }
        return "0x" + HexFormat.of().formatHex(preview) + (data.length() > n ? "..." : "");
    }
}
