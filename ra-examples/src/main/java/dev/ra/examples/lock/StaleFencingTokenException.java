package dev.ra.examples.lock;

/**
 * Thrown by {@link FencingTokenValidator#validate} when a request carries a token lower than one the resource has
 * already accepted: the sender's tenure is over, whatever it believes.
 */
public final class StaleFencingTokenException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String resource;
    private final long token;
    private final long highestSeen;

    /**
     * @param resource    the request was for.
     * @param token       the request carried.
     * @param highestSeen by the resource when it rejected the request.
     */
    public StaleFencingTokenException(final String resource, final long token, final long highestSeen)
    {
        super("stale fencing token " + token + " for '" + resource + "': " + highestSeen + " already seen");
        this.resource = resource;
        this.token = token;
        this.highestSeen = highestSeen;
    }

    /**
     * @return the resource the request was for.
     */
    public String resource()
    {
        return resource;
    }

    /**
     * @return the rejected token.
     */
    public long token()
    {
        return token;
    }

    /**
     * @return the highest token the resource had accepted.
     */
    public long highestSeen()
    {
        return highestSeen;
    }
}
