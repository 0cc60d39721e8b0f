package dev.ra;

/**
 * Commands that Ra itself appends to the log on behalf of the machine's effects, delivered to
 * {@link StateMachine#applyBuiltin}. They go through the log, so every member sees them at the same index; so does
 * {@link MachineVersionChanged}, delivered when the noop entry that switches the machine version is applied.
 */
public sealed interface BuiltinCommand
{
    /**
     * A process watched with {@link Effect.Monitor} went down.
     *
     * @param process that went down.
     * @param reason  why it is reported down.
     */
    record Down(ProcessRef process, DownReason reason) implements BuiltinCommand
    {
        /**
         * Requires the process and the reason (not null).
         */
        public Down
        {
            java.util.Objects.requireNonNull(process, "process");
            java.util.Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A node watched with {@link Effect.MonitorNode} became reachable.
     *
     * @param node that came up.
     */
    record NodeUp(String node) implements BuiltinCommand
    {
        /**
         * Requires a node id of 1 to 255 characters without whitespace, control characters or {@code @}.
         */
        public NodeUp
        {
            Names.requireValid(node, "node id");
        }
    }

    /**
     * A node watched with {@link Effect.MonitorNode} became unreachable.
     *
     * @param node that went down.
     */
    record NodeDown(String node) implements BuiltinCommand
    {
        /**
         * Requires a node id of 1 to 255 characters without whitespace, control characters or {@code @}.
         */
        public NodeDown
        {
            Names.requireValid(node, "node id");
        }
    }

    /**
     * A timer set with {@link Effect.Timer} expired on the leader.
     *
     * @param name of the timer.
     */
    record Timeout(String name) implements BuiltinCommand
    {
        /**
         * Requires the timer name (not null).
         */
        public Timeout
        {
            java.util.Objects.requireNonNull(name, "name");
        }
    }

    /**
     * The cluster's effective machine version changes at this entry (a leader's noop carrying a higher version was
     * applied): delivered to the {@link StateMachine#machineFor machine} of the new version, on every member at the
     * same index, before any command is applied with the new version. The machine migrates its state here if the new
     * version's state differs. An unversioned machine (version 0 only) never sees it.
     *
     * @param from the effective version before this entry.
     * @param to   the effective version from this entry on, higher than {@code from}.
     */
    record MachineVersionChanged(int from, int to) implements BuiltinCommand
    {
        /**
         * Requires {@code 0 <= from < to}.
         */
        public MachineVersionChanged
        {
            if (from < 0 || to <= from)
            {
                throw new IllegalArgumentException("a machine version change goes up from a version >= 0: " + from +
                    " -> " + to);
            }
        }
    }
}
