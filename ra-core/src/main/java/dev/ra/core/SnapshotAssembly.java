package dev.ra.core;

import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import java.util.Arrays;

/**
 * The chunks of a snapshot received so far from the leader, in order.
 */
final class SnapshotAssembly
{
    private final SnapshotMeta meta;
    private byte[] data = new byte[1024];
    private int size;
    private boolean installing;

    SnapshotAssembly(final SnapshotMeta meta)
    {
        this.meta = meta;
    }

    SnapshotMeta meta()
    {
        return meta;
    }

    long size()
    {
        return size;
    }

    boolean installing()
    {
        return installing;
    }

    void markInstalling()
    {
        installing = true;
    }

    void append(final Bytes chunk)
    {
        final int needed = size + chunk.length();
        if (needed < 0)
        {
            throw new IllegalStateException("snapshot larger than 2 GiB");
        }
        if (needed > data.length)
        {
            data = Arrays.copyOf(data, Math.max(needed, data.length * 2));
        }
        System.arraycopy(chunk.unsafeArray(), 0, data, size, chunk.length());
        size = needed;
    }

    Bytes toBytes()
    {
        return Bytes.wrap(Arrays.copyOf(data, size));
    }
}
