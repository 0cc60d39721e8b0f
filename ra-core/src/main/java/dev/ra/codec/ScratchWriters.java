package dev.ra.codec;

/**
 * One reusable {@link BufferWriter} per thread for {@link Codec#toBytes(Object)}: encoding a command then costs a
 * single exact-size copy instead of a fresh buffer that grows (and is copied) on the way. A codec that calls
 * {@code toBytes} from inside its own {@code encode} gets a private writer, so nesting never shares a buffer.
 */
final class ScratchWriters
{
    /** A writer that grew beyond this is dropped after use rather than pinning a large array to the thread. */
    private static final int MAX_RETAINED_BYTES = 64 << 10;
    private static final ThreadLocal<ScratchWriters> PER_THREAD = ThreadLocal.withInitial(ScratchWriters::new);

    private BufferWriter writer = new BufferWriter(256);
    private boolean inUse;

    private ScratchWriters()
    {
    }

    static <T> byte[] encode(final Codec<T> codec, final T value)
    {
        final ScratchWriters scratch = PER_THREAD.get();
        if (scratch.inUse)
        {
            final BufferWriter nested = new BufferWriter(64);
            codec.encode(value, nested);
            return nested.toByteArray();
        }
        scratch.inUse = true;
        final BufferWriter out = scratch.writer.reset();
        try
        {
            codec.encode(value, out);
            return out.toByteArray();
        }
        finally
        {
            if (out.array().length > MAX_RETAINED_BYTES)
            {
                scratch.writer = new BufferWriter(256);
            }
            scratch.inUse = false;
        }
    }
}
