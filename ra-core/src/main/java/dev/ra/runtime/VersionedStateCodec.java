package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.protocol.SnapshotMeta;

/**
 * The state codec a snapshot is written and read with: that of the machine of the snapshot's machine version
 * ({@link StateMachine#machineFor}), so a newer build reads the snapshots an older version wrote.
 */
final class VersionedStateCodec
{
    private VersionedStateCodec()
    {
    }

    /**
     * @param machine of this build.
     * @param meta    of a snapshot.
     * @return whether this build can decode and apply from that snapshot.
     */
    static boolean supports(final StateMachine<Object, Object> machine, final SnapshotMeta meta)
    {
        return meta.machineVersion() >= 0 && meta.machineVersion() <= machine.version();
    }

    /**
     * @param id      of the server, for the error.
     * @param machine of this build.
     * @param meta    of the snapshot.
     * @return the codec of the snapshot's version.
     * @throws IllegalStateException if this build does not support the snapshot's version.
     */
    static Codec<Object> of(final ServerId id, final StateMachine<Object, Object> machine, final SnapshotMeta meta)
    {
        final int version = meta.machineVersion();
        if (version < 0 || version > machine.version())
        {
            throw new IllegalStateException(id + ": the snapshot at index " + meta.index() + " needs machine version " +
                version + " but this build of " + machine.getClass().getName() + " supports versions 0 to " +
                machine.version() + "; start this server with a build that supports version " + version);
        }
        final StateMachine<Object, Object> versioned =
            version == machine.version() ? machine : machine.machineFor(version);
        return (null == versioned ? machine : versioned).stateCodec();
    }
}
