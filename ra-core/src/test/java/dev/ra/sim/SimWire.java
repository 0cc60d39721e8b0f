package dev.ra.sim;

import dev.ra.protocol.LogEntry;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands of a versioned run as the network and the disk carry them: bytes only, as the transport's frames and
 * ra-log's segments do. A member that receives entries, or reads back its log after a restart, decodes each command
 * with the codec of the machine version it applies it with, never the object a leader's caller handed over; so a
 * command encoded with another version's codec shows (see {@link SimKvCommandCodec}). The runs without machine
 * versions keep sharing the objects, which costs them no decoding.
 */
final class SimWire
{
    private SimWire()
    {
    }

    /**
     * @param rpc as a member sends it.
     * @return as another member receives it: the entries' commands as their bytes.
     */
    static RaftRpc asReceived(final RaftRpc rpc)
    {
        if (!(rpc instanceof RaftRpc.AppendEntriesRpc append) || !carriesCommands(append.entries()))
        {
            return rpc;
        }
        return new RaftRpc.AppendEntriesRpc(append.term(), append.leaderId(), append.prevLogIndex(),
            append.prevLogTerm(), append.leaderCommit(), asStored(append.entries()));
    }

    /**
     * @param entries as a member holds them.
     * @return as it reads them back from its disk: the commands as their bytes.
     */
    static List<LogEntry> asStored(final List<LogEntry> entries)
    {
        final List<LogEntry> stored = new ArrayList<>(entries.size());
        for (final LogEntry entry : entries)
        {
            stored.add(entry.payload() instanceof UserCommand command ? new LogEntry(entry.index(), entry.term(),
                entry.systemTimeMs(), UserCommand.ofData(encoded(entry, command))) : entry);
        }
        return stored;
    }

    private static boolean carriesCommands(final List<LogEntry> entries)
    {
        for (final LogEntry entry : entries)
        {
            if (entry.payload() instanceof UserCommand)
            {
                return true;
            }
        }
        return false;
    }

    /** As the transport's entry codec: a command a leader appended without its bytes cannot be sent. */
    private static dev.ra.codec.Bytes encoded(final LogEntry entry, final UserCommand command)
    {
        final dev.ra.codec.Bytes data = command.dataIfEncoded();
        if (null == data)
        {
            throw new IllegalStateException("user command at index " + entry.index() + " was never encoded");
        }
        return data;
    }
}
