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
     * The highest version this build supports, as the core counts it: a machine declaring a negative version is
     * unversioned (0), or its snapshots, all of version 0, would be refused as too new for it.
     *
     * @param machine of this build.
     * @return its version, at least 0.
     */
    static int supported(final StateMachine<Object, Object> machine)
    {
        return Math.max(0, machine.version());
    }

    /**
     * @param machine of this build.
     * @param meta    of a snapshot.
     * @return whether this build can decode and apply from that snapshot.
     */
    static boolean supports(final StateMachine<Object, Object> machine, final SnapshotMeta meta)
    {
        return meta.machineVersion() >= 0 && meta.machineVersion() <= supported(machine);
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
        final int supported = supported(machine);
        if (version < 0 || version > supported)
        {
            throw new IllegalStateException(id + ": the snapshot at index " + meta.index() + " needs machine version " +
                version + " but this build of " + machine.getClass().getName() + " supports versions 0 to " +
                supported + "; start this server with a build that supports version " + version);
        }
        final StateMachine<Object, Object> versioned = version == supported ? machine : machine.machineFor(version);
        if (null == versioned)
        {
            throw new IllegalStateException(id + ": " + machine.getClass().getName() + ".machineFor(" + version +
                ") returned null: a build must give the logic of every version from 0 to its version() (" +
                supported + "), whose state codec reads that version's snapshots");
        }
        return versioned.stateCodec();
    }
}
