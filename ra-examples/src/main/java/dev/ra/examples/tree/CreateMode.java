package dev.ra.examples.tree;

/**
 * How a node is created, as ZooKeeper's {@code CreateMode}: persistent or bound to a session (ephemeral), and with or
 * without a sequence number appended to its name.
 */
public enum CreateMode
{
    /** Lives until deleted. */
    PERSISTENT(false, false),
    /** Lives until deleted; its name gets the parent's 10-digit child counter appended. */
    PERSISTENT_SEQUENTIAL(false, true),
    /** Deleted when its session ends (expires or is closed); cannot have children. */
    EPHEMERAL(true, false),
    /** Ephemeral, with the parent's 10-digit child counter appended to its name. */
    EPHEMERAL_SEQUENTIAL(true, true);

    private final boolean ephemeral;
    private final boolean sequential;

    CreateMode(final boolean ephemeral, final boolean sequential)
    {
        this.ephemeral = ephemeral;
        this.sequential = sequential;
    }

    /**
     * @return whether the node is bound to a session.
     */
    public boolean isEphemeral()
    {
        return ephemeral;
    }

    /**
     * @return whether a sequence number is appended to the name.
     */
    public boolean isSequential()
    {
        return sequential;
    }
}
