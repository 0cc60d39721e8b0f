package dev.ra;

/**
 * Why a monitored process is reported down in a {@link BuiltinCommand.Down}.
 */
public enum DownReason
{
    /** The process was closed by its owner. */
    NORMAL,
    /** The process ended with an error (its owner reported a failure). */
    ERROR,
    /** The process did not exist when the monitor was set up (or had already ended). */
    NOPROC,
    /**
     * The node hosting the process became unreachable: the process may still be alive. Machines usually keep what
     * the process holds and monitor its node, as Ra's toolbox does.
     */
    NOCONNECTION
}
