package dev.ra.examples.lock;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The check a protected resource makes on every request that carries a fencing token: accept the token only if it is
 * at least the highest token already accepted for that resource, and remember it.
 *
 * <p>This turns the lock's ordering promise into safety. Once a new holder's request (larger token) has been
 * accepted, a paused or partitioned former holder can no longer write, however late its requests arrive. Equal
 * tokens are accepted, since one holder makes many requests during one tenure. Tokens of different resources are
 * independent; use the lock key as the resource name when one lock guards one resource.
 *
 * <p>The check and the update are one atomic step per resource, so the validator is safe to share between threads.
 * It must live where the resource's writes are serialized (in the resource's own process, or in its storage as a
 * conditional write); keeping it in the client is useless. Memory grows with the number of distinct resources.
 */
public final class FencingTokenValidator
{
    private final ConcurrentMap<String, Long> highest = new ConcurrentHashMap<>();

    /**
     * Accept {@code token} for {@code resource} if it is not stale, and remember it.
     *
     * @param resource being accessed.
     * @param token    carried by the request.
     * @return true if accepted; false if a larger token was already accepted.
     */
    public boolean tryAccept(final String resource, final long token)
    {
        Objects.requireNonNull(resource, "resource");
        // One atomic step: the stored value becomes max(seen, token), and the token was acceptable exactly when it
        // is the new maximum.
        return highest.merge(resource, token, Math::max) == token;
    }

    /**
     * Like {@link #tryAccept} but throws when the token is stale.
     *
     * @param resource being accessed.
     * @param token    carried by the request.
     * @throws StaleFencingTokenException if a larger token was already accepted.
     */
    public void validate(final String resource, final long token)
    {
        if (!tryAccept(resource, token))
        {
            throw new StaleFencingTokenException(resource, token, highestSeen(resource));
        }
    }

    /**
     * @param resource to look up.
     * @return the highest token accepted for it, 0 if none.
     */
    public long highestSeen(final String resource)
    {
        return highest.getOrDefault(Objects.requireNonNull(resource, "resource"), 0L);
    }
}
