package dev.ra;

/**
 * A reference to a lightweight process (a mailbox) registered with a {@link RaSystem}: the JVM analogue of an Erlang
 * pid.
 *
 * <p>Application code creates processes with {@link RaSystem#spawn} to receive messages from machines
 * ({@link Effect.SendMsg}), pipeline notifications ({@link RaEvent}) and anything else addressed to it. Machines keep
 * process refs in their state and watch them with {@link Effect.Monitor}; closing the process makes the leader append
 * a {@link BuiltinCommand.Down}.
 *
 * @param node id of the node that hosts the process.
 * @param id   of the process, unique on its node: ids count up from a random start drawn when the node starts, so
 *             a restarted node does not hand out its previous runs' ids, whatever its clock says. Not ordered by
 *             time.
 */
public record ProcessRef(String node, long id)
{
    /**
     * Requires a node id of 1 to 255 characters without whitespace, control characters or {@code @} and a positive
     * process id.
     */
    public ProcessRef
    {
        Names.requireValid(node, "node id");
        if (id <= 0)
        {
            throw new IllegalArgumentException("process id must be positive, got " + id);
        }
    }

    @Override
    public String toString()
    {
        return "<" + node + "." + id + ">";
    }
}
