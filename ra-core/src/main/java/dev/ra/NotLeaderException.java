package dev.ra;

/**
 * The addressed member is not the leader and the call is addressed to that member only, so it is not redirected.
 * Commands, queries and membership calls follow redirects to the leader instead: one that finds no leader in time
 * fails with {@link ClusterUnavailableException} or {@link RaTimeoutException}.
 */
public final class NotLeaderException extends RaException
{
    private static final long serialVersionUID = 1L;

    private final transient ServerId leaderHint;

    /**
     * @param message    saying which call was refused.
     * @param leaderHint the leader the member knows of, or null.
     */
    public NotLeaderException(final String message, final ServerId leaderHint)
    {
        super(message + (null == leaderHint ? " (leader unknown)" : " (leader hint " + leaderHint + ")"));
        this.leaderHint = leaderHint;
    }

    /**
     * @return the leader the member knew of, or null if it knew none.
     */
    public ServerId leaderHint()
    {
        return leaderHint;
    }
}
