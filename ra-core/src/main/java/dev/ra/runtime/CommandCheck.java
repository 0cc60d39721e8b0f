package dev.ra.runtime;

/**
 * The checks a command passes before anything is appended: on the caller's node, and again on the leader for commands
 * arriving from other nodes. Each returns null when the command passes, else the message for the caller, naming the
 * cluster, what was wrong and the limit.
 */
final class CommandCheck
{
    private CommandCheck()
    {
    }

    /**
     * @param cluster of the command.
     * @param command decoded.
     * @return null, or why the command is not of the machine's declared command type.
     */
    static String wrongType(final ClusterInfo cluster, final Object command)
    {
        final Class<?> type = cluster.machine.commandType();
        if (type.isInstance(command))
        {
            return null;
        }
        return "cluster '" + cluster.clusterName + "': a command of type " +
            (null == command ? "null" : command.getClass().getName()) + " is not a " + type.getName() +
            ", the command type of machine " + cluster.machine.getClass().getName();
    }

    /**
     * @param cluster  of the command.
     * @param bytes    of the encoded command.
     * @param maxBytes the limit.
     * @return null, or why the command is too large.
     */
    static String tooLarge(final ClusterInfo cluster, final long bytes, final int maxBytes)
    {
        if (bytes <= maxBytes)
        {
            return null;
        }
        return "cluster '" + cluster.clusterName + "': a command of " + bytes + " bytes (encoded) exceeds the " +
            "maximum command size of " + maxBytes + " bytes (RaSystemBuilder.maxCommandBytes, at most half the " +
            "transport's message limit)";
    }
}
