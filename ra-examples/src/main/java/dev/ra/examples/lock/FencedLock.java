package dev.ra.examples.lock;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import java.util.Objects;

/**
 * A lock tenure obtained with {@link LockClient#tryLock}: the key, the fencing token to attach to every request to the
 * protected resource, and the owner process. Closing it releases the lock and ends the owner process.
 *
 * <p>Holding this object does not prove the lock is still held: the owner may have been reported down (its node
 * partitioned from the leader) and the lock passed on. That is what the token is for; {@link #isHeld()} asks the
 * cluster when the caller wants to know.
 */
public final class FencedLock implements AutoCloseable
{
    private final LockClient client;
    private final String key;
    private final long token;
    private final RaProcess owner;

    FencedLock(final LockClient client, final String key, final long token, final RaProcess owner)
    {
        this.client = Objects.requireNonNull(client, "client");
        this.key = Objects.requireNonNull(key, "key");
        this.token = token;
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /**
     * @return the key of the lock.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the fencing token of this tenure.
     */
    public long token()
    {
        return token;
    }

    /**
     * @return the process that holds the lock.
     */
    public ProcessRef owner()
    {
        return owner.ref();
    }

    /**
     * Ask the cluster (linearizably) whether this tenure is still the current one.
     *
     * @return true if the owner still holds the lock with this token.
     */
    public boolean isHeld()
    {
        return client.lockInfo(key).map(l -> l.holder().equals(owner.ref()) && l.token() == token).orElse(false);
    }

    /**
     * Release the lock (if still held) and end the owner process. Idempotent.
     */
    @Override
    public void close()
    {
        if (!owner.isAlive())
        {
            return;
        }
        try
        {
            client.release(key, owner.ref());
        }
        finally
        {
            // Even if the release failed, ending the owner makes the leader release the lock through its monitor.
            owner.close();
        }
    }
}
