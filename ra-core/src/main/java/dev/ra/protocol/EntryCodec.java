package dev.ra.protocol;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes log entries, configurations and snapshot metadata for the log and the network.
 *
 * <p>User commands are written as the bytes their machine codec produced; the leader's runtime encodes each command
 * once, so this codec never needs the machine. A user command that has not been encoded is a programming error.
 *
 * <p>Layout of an entry: {@code u8 kind, varint index, varint term, i64 systemTimeMs, payload}. Stateless and
 * thread-safe.
 */
public final class EntryCodec implements Codec<LogEntry>
{
    /** The single instance. */
    public static final EntryCodec INSTANCE = new EntryCodec();

    static final int USER = 1;
    static final int NOOP = 2;
    static final int CLUSTER_CHANGE = 3;
    static final int BUILTIN = 4;
    static final int DELETE_CLUSTER = 5;

    private static final int DOWN = 1;
    private static final int NODE_UP = 2;
    private static final int NODE_DOWN = 3;
    private static final int TIMEOUT = 4;

    private static final DownReason[] DOWN_REASONS = DownReason.values();
    private static final Membership[] MEMBERSHIPS = Membership.values();
    /** Every decoded message names servers; the same few, over and over (see {@link ServerIdCache}). */
    private static final ServerIdCache SERVER_IDS = new ServerIdCache();

    private EntryCodec()
    {
    }

    @Override
    public void encode(final LogEntry entry, final BufferWriter out)
    {
        final EntryPayload payload = entry.payload();
        if (payload instanceof UserCommand user)
        {
            final Bytes data = user.dataIfEncoded();
            if (null == data)
            {
                throw new IllegalStateException("user command at index " + entry.index() + " was never encoded");
            }
            header(USER, entry, out).writeBytes(data);
        }
        else if (payload instanceof EntryPayload.Noop noop)
        {
            header(NOOP, entry, out).writeVarLong(noop.machineVersion());
        }
        else if (payload instanceof EntryPayload.ClusterChange change)
        {
            writeMembers(change.members(), header(CLUSTER_CHANGE, entry, out));
        }
        else if (payload instanceof EntryPayload.Builtin builtin)
        {
            writeBuiltin(builtin.command(), header(BUILTIN, entry, out));
        }
        else if (payload instanceof EntryPayload.DeleteCluster)
        {
            header(DELETE_CLUSTER, entry, out);
        }
        else
        {
            throw new IllegalStateException("unhandled payload " + payload);
        }
    }

    private static BufferWriter header(final int kind, final LogEntry entry, final BufferWriter out)
    {
        return out.writeByte(kind).writeVarLong(entry.index()).writeVarLong(entry.term())
            .writeLong(entry.systemTimeMs());
    }

    @Override
    public LogEntry decode(final BufferReader in)
    {
        final int kind = in.readUnsignedByte();
        final long index = in.readVarLong();
        final long term = in.readVarLong();
        final long systemTimeMs = in.readLong();
        if (index <= 0 || term <= 0)
        {
            throw new CodecException("entry with index " + index + " and term " + term);
        }
        final EntryPayload payload;
        switch (kind)
        {
            case USER:
                payload = UserCommand.ofData(in.readBytes());
                break;
            case NOOP:
                payload = new EntryPayload.Noop(toInt(in.readVarLong()));
                break;
            case CLUSTER_CHANGE:
                payload = new EntryPayload.ClusterChange(readMembers(in));
                break;
            case BUILTIN:
                payload = new EntryPayload.Builtin(readBuiltin(in));
                break;
            case DELETE_CLUSTER:
                payload = new EntryPayload.DeleteCluster();
                break;
            default:
                throw new CodecException("unknown log entry kind " + kind);
        }
        return new LogEntry(index, term, systemTimeMs, payload);
    }

    /**
     * @param members to write.
     * @param out     to write to.
     */
    public static void writeMembers(final List<Member> members, final BufferWriter out)
    {
        out.writeVarLong(members.size());
        for (final Member m : members)
        {
            writeServerId(m.id(), out);
            out.writeByte(m.membership().ordinal()).writeVarLong(m.promotionTarget());
        }
    }

    /**
     * @param in to read from.
     * @return the members.
     */
    public static List<Member> readMembers(final BufferReader in)
    {
        final int count = in.readCount(5);
        final List<Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final ServerId id = readServerId(in);
            final int membership = in.readUnsignedByte();
            if (membership >= MEMBERSHIPS.length)
            {
                throw new CodecException("unknown membership " + membership);
            }
            members.add(new Member(id, MEMBERSHIPS[membership], in.readVarLong()));
        }
        return members;
    }

    /**
     * @param id  to write.
     * @param out to write to.
     */
    public static void writeServerId(final ServerId id, final BufferWriter out)
    {
        out.writeString(id.name()).writeString(id.node());
    }

    /**
     * @param in to read from.
     * @return the server id.
     */
    public static ServerId readServerId(final BufferReader in)
    {
        return SERVER_IDS.read(in, EntryCodec::decodeServerId);
    }

    private static ServerId decodeServerId(final BufferReader in)
    {
        final String name = in.readString();
        final String node = in.readString();
        try
        {
            return new ServerId(name, node);
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new CodecException("invalid server id: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param meta to write.
     * @param out  to write to.
     */
    public static void writeSnapshotMeta(final SnapshotMeta meta, final BufferWriter out)
    {
        out.writeVarLong(meta.index()).writeVarLong(meta.term()).writeVarLong(meta.machineVersion());
        writeMembers(meta.members(), out);
    }

    /**
     * The servers a snapshot names as removed ({@link SnapshotMeta#removed}), which {@link #writeSnapshotMeta} does not
     * write: its encoding is also part of messages between nodes, which would need a new protocol version to carry
     * them. A store writes them after the metadata, within its length (a reader that knows only
     * {@link #readSnapshotMeta} ignores what follows it), and reads them back with {@link #readRemovedServers}.
     *
     * @param removed the servers, the most recently named last.
     * @param out     to write to.
     */
    public static void writeRemovedServers(final List<ServerId> removed, final BufferWriter out)
    {
        out.writeVarLong(removed.size());
        for (final ServerId id : removed)
        {
            writeServerId(id, out);
        }
    }

    /**
     * @param in to read from, just after the metadata {@link #readSnapshotMeta} read.
     * @return the servers written by {@link #writeRemovedServers}, none if nothing follows the metadata.
     */
    public static List<ServerId> readRemovedServers(final BufferReader in)
    {
        if (in.remaining() == 0)
        {
            return List.of();
        }
        final int count = in.readCount(2);
        if (count > SnapshotMeta.MAX_REMOVED)
        {
            throw new CodecException("a snapshot names " + count + " removed servers, more than " +
                SnapshotMeta.MAX_REMOVED);
        }
        final List<ServerId> removed = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            removed.add(readServerId(in));
        }
        return removed;
    }

    /**
     * @param in to read from.
     * @return the snapshot metadata.
     */
    public static SnapshotMeta readSnapshotMeta(final BufferReader in)
    {
        final long index = in.readVarLong();
        final long term = in.readVarLong();
        final int version = toInt(in.readVarLong());
        final List<Member> members = readMembers(in);
        try
        {
            return new SnapshotMeta(index, term, members, version);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CodecException("invalid snapshot meta: " + ex.getMessage(), ex);
        }
    }

    private static void writeBuiltin(final BuiltinCommand command, final BufferWriter out)
    {
        if (command instanceof BuiltinCommand.Down down)
        {
            out.writeByte(DOWN).writeString(down.process().node()).writeLong(down.process().id())
                .writeByte(down.reason().ordinal());
        }
        else if (command instanceof BuiltinCommand.NodeUp up)
        {
            out.writeByte(NODE_UP).writeString(up.node());
        }
        else if (command instanceof BuiltinCommand.NodeDown nodeDown)
        {
            out.writeByte(NODE_DOWN).writeString(nodeDown.node());
        }
        else if (command instanceof BuiltinCommand.Timeout timeout)
        {
            out.writeByte(TIMEOUT).writeString(timeout.name());
        }
        else
        {
            throw new IllegalStateException("unhandled builtin " + command);
        }
    }

    private static BuiltinCommand readBuiltin(final BufferReader in)
    {
        final int kind = in.readUnsignedByte();
        try
        {
            switch (kind)
            {
                case DOWN:
                {
                    final ProcessRef process = new ProcessRef(in.readString(), in.readLong());
                    final int reason = in.readUnsignedByte();
                    if (reason >= DOWN_REASONS.length)
                    {
                        throw new CodecException("unknown down reason " + reason);
                    }
                    return new BuiltinCommand.Down(process, DOWN_REASONS[reason]);
                }
                case NODE_UP:
                    return new BuiltinCommand.NodeUp(in.readString());
                case NODE_DOWN:
                    return new BuiltinCommand.NodeDown(in.readString());
                case TIMEOUT:
                    return new BuiltinCommand.Timeout(in.readString());
                default:
                    throw new CodecException("unknown builtin command " + kind);
            }
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new CodecException("invalid builtin command: " + ex.getMessage(), ex);
        }
    }

    private static int toInt(final long value)
    {
        if (value < 0 || value > Integer.MAX_VALUE)
        {
            throw new CodecException("value out of int range: " + value);
        }
        return (int)value;
    }
}
