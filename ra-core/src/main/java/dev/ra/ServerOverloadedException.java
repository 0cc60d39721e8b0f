package dev.ra;

/**
 * The leader refused a command because it holds as many commands not yet committed and applied as
 * {@link RaSystemBuilder#maxUncommittedBytes} allows: the cluster commits slower than commands arrive (followers slow,
 * or some down). Nothing was appended, so retrying later is safe; another member would not take it either. The
 * message names the server and the limit.
 */
public class ServerOverloadedException extends RaException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message naming the server, the limit and the setting.
     */
    public ServerOverloadedException(final String message)
    {
        super(message);
    }
}
