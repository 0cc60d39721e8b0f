package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import java.util.List;
import java.util.Map;

/**
 * The state codecs of {@link TaskQueueMachine} versions 0 and 1: {@link TaskQueueState} as those versions' builds
 * wrote it with the generic codec, which writes a record's components with no count. Version 0's record had four
 * components ({@code nextTaskId, ready, inFlight, cursorIndex}); version 1 added {@code grabbedAtMs} and {@code
 * deadLetters}; version 2 added {@code settings}. Had the newest shape been written while the cluster was still at an
 * older version, a member of the older build could not read the snapshot, nor the newer build read the snapshots the
 * older one left on disk. An older version's logic never sets the added components, so they are dropped on the way out
 * and empty on the way in.
 */
final class OlderStateCodec implements Codec<TaskQueueState>
{
    /** The codec of version 0. */
    static final OlderStateCodec VERSION_ZERO = new OlderStateCodec(0);
    /** The codec of version 1. */
    static final OlderStateCodec VERSION_ONE = new OlderStateCodec(1);

    private static final String CLASS_NAME = TaskQueueState.class.getName();

    private final Codec<Object> generic = TaskQueueCodec.DECLARED;
    /** The generic codec's tag of a record, the first byte it writes for one. */
    private final int recordTag = generic.toBytes(TaskQueueState.EMPTY)[0];
    private final int version;

    private OlderStateCodec(final int version)
    {
        this.version = version;
    }

    @Override
    public void encode(final TaskQueueState state, final BufferWriter out)
    {
        out.writeByte(recordTag).writeString(CLASS_NAME);
        generic.encode(state.nextTaskId(), out);
        generic.encode(state.ready(), out);
        generic.encode(state.inFlight(), out);
        generic.encode(state.cursorIndex(), out);
        if (version >= 1)
        {
            generic.encode(state.grabbedAtMs(), out);
            generic.encode(state.deadLetters(), out);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public TaskQueueState decode(final BufferReader in)
    {
        final int tag = in.readUnsignedByte();
        final String name = in.readString();
        if (tag != recordTag || !CLASS_NAME.equals(name))
        {
            throw new CodecException("a TaskQueueMachine version " + version + " state must be a " + CLASS_NAME +
                " record, got tag " + tag + " and class " + name);
        }
        final Long nextTaskId = component(in, Long.class, "nextTaskId");
        final List<Task> ready = component(in, List.class, "ready");
        final Map<ProcessRef, Task> inFlight = component(in, Map.class, "inFlight");
        final Long cursorIndex = component(in, Long.class, "cursorIndex");
        if (version < 1)
        {
            return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex);
        }
        final Map<ProcessRef, Long> grabbedAtMs = component(in, Map.class, "grabbedAtMs");
        final List<Task> deadLetters = component(in, List.class, "deadLetters");
        return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex, grabbedAtMs, deadLetters);
    }

    private <T> T component(final BufferReader in, final Class<T> type, final String name)
    {
        final Object value = generic.decode(in);
        if (!type.isInstance(value))
        {
            throw new CodecException("TaskQueueMachine version " + version + " state: " + name + " is a " +
                type.getName() + " but the bytes hold a " + (null == value ? "null" : value.getClass().getName()));
        }
        return type.cast(value);
    }
}
