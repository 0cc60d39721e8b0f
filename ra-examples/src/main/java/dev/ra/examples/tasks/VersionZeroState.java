package dev.ra.examples.tasks;

import dev.ra.ProcessRef;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import java.util.List;
import java.util.Map;

/**
 * The state codec of {@link TaskQueueMachine} version 0: {@link TaskQueueState} as that version's build wrote it with
 * the generic codec, a record of four components ({@code nextTaskId, ready, inFlight, cursorIndex}). Version 1 added
 * {@code grabbedAtMs} and {@code deadLetters}, which the generic codec would write too; a member of the older build
 * could then not read a snapshot that a member of the newer build took while the cluster was still at version 0, nor
 * the newer build read the snapshots the older one left on disk. Version 0's logic never sets the added components, so
 * they are dropped on the way out and empty on the way in.
 */
final class VersionZeroState implements Codec<TaskQueueState>
{
    /** The codec. */
    static final VersionZeroState CODEC = new VersionZeroState();

    private static final String CLASS_NAME = TaskQueueState.class.getName();

    private final Codec<Object> generic = Codecs.generic();
    /** The generic codec's tag of a record, the first byte it writes for one. */
    private final int recordTag = generic.toBytes(TaskQueueState.EMPTY)[0];

    private VersionZeroState()
    {
    }

    @Override
    public void encode(final TaskQueueState state, final BufferWriter out)
    {
        out.writeByte(recordTag).writeString(CLASS_NAME);
        generic.encode(state.nextTaskId(), out);
        generic.encode(state.ready(), out);
        generic.encode(state.inFlight(), out);
        generic.encode(state.cursorIndex(), out);
    }

    @Override
    @SuppressWarnings("unchecked")
    public TaskQueueState decode(final BufferReader in)
    {
        final int tag = in.readUnsignedByte();
        final String name = in.readString();
        if (tag != recordTag || !CLASS_NAME.equals(name))
        {
            throw new CodecException("a TaskQueueMachine version 0 state must be a " + CLASS_NAME +
                " record, got tag " + tag + " and class " + name);
        }
        final Long nextTaskId = component(in, Long.class, "nextTaskId");
        final List<Task> ready = component(in, List.class, "ready");
        final Map<ProcessRef, Task> inFlight = component(in, Map.class, "inFlight");
        final Long cursorIndex = component(in, Long.class, "cursorIndex");
        return new TaskQueueState(nextTaskId, ready, inFlight, cursorIndex);
    }

    private <T> T component(final BufferReader in, final Class<T> type, final String name)
    {
        final Object value = generic.decode(in);
        if (!type.isInstance(value))
        {
            throw new CodecException("TaskQueueMachine version 0 state: " + name + " is a " + type.getName() +
                " but the bytes hold a " + (null == value ? "null" : value.getClass().getName()));
        }
        return type.cast(value);
    }
}
