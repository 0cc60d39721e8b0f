package dev.ra;

/**
 * A command was refused before anything was appended: it is not of the machine's declared command type
 * ({@link StateMachine#commandType()}), its encoding is larger than the node's maximum command size, or its bytes do
 * not decode. Nothing was applied; the message names the cluster, what was wrong and the limit.
 */
public class InvalidCommandException extends RaException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message naming the cluster, the problem and the limit.
     */
    public InvalidCommandException(final String message)
    {
        super(message);
    }
}
