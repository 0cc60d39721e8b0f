package dev.ra;

/**
 * Where a member stands on machine versions ({@link StateMachine#version()}): the version in force, the highest one
 * its build supports, and, if its log or a snapshot needs a version its build does not support, why it stopped
 * applying.
 *
 * @param effective the cluster's machine version as of the member's last applied entry.
 * @param supported the highest version the member's build supports.
 * @param error     why the member stopped applying (naming cluster, server, index and versions), or null while it
 *                  applies.
 */
public record MachineVersionStatus(int effective, int supported, String error)
{
    /** An unversioned machine that applies. */
    public static final MachineVersionStatus UNVERSIONED = new MachineVersionStatus(0, 0, null);

    /**
     * @return whether the member stopped applying for a machine version its build does not support.
     */
    public boolean stopped()
    {
        return null != error;
    }
}
