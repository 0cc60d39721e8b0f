package dev.ra.examples.support;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.ServerId;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of {@link ClientSequences}: numbers calls, and knows which are still unanswered, so that each call
 * says below which number every call had its reply. Thread-safe: calls made at once from several threads are each
 * unanswered until they end, so none of them is taken for stale.
 *
 * <p>The toolbox clients share {@link #shared() one numbering per JVM}: a late attempt of one client object's call is
 * then compared with the later calls any client object of the JVM made about the same process (a {@code LockClient}
 * made for the acquire, another for the release).
 */
public final class CommandNumbering
{
    private static final CommandNumbering SHARED = new CommandNumbering();

    private final String client = UUID.randomUUID().toString();
    private final AtomicLong last = new AtomicLong();
    private final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();

    /**
     * @return the numbering every toolbox client of this JVM uses.
     */
    public static CommandNumbering shared()
    {
        return SHARED;
    }

    /**
     * Start a call: its number, to send with every attempt of it, until {@link Call#close()}.
     *
     * @return the call.
     */
    public Call start()
    {
        // Taken and registered under one lock so that no call started after this one can see a first unanswered
        // number above this one's before it is registered.
        synchronized (this)
        {
            final long number = last.incrementAndGet();
            unanswered.add(number);
            return new Call(new CommandNumber(client, number, unanswered.first()));
        }
    }

    /**
     * @return the id this client's calls carry.
     */
    public String client()
    {
        return client;
    }

    /**
     * The reply of a numbered call, which is never stale but when the machine forgot the call, or the reply of it
     * applied, while its client still waited for it ({@link ClientSequences} says when): what the call did is then
     * unknown.
     *
     * @param reply  the machine's.
     * @param what   the call was, for the error.
     * @param leader the client last heard of, for the error.
     * @param <R>    the reply type.
     * @return the reply.
     * @throws CommandOutcomeUnknownException when the reply is a {@link StaleCommand}.
     */
    @SuppressWarnings("unchecked")
    public static <R> R replyOf(final Object reply, final String what, final ServerId leader)
    {
        if (reply instanceof StaleCommand stale)
        {
            throw new CommandOutcomeUnknownException(what + " " + stale.number() + " was refused as stale: the " +
                "cluster no longer knew it, so whether an earlier attempt of it was applied is unknown", leader);
        }
        return (R)reply;
    }

    /**
     * One numbered call: close it once its reply came, or it was given up.
     */
    public final class Call implements AutoCloseable
    {
        private final CommandNumber number;

        private Call(final CommandNumber number)
        {
            this.number = number;
        }

        /**
         * @return the number every attempt of this call carries.
         */
        public CommandNumber number()
        {
            return number;
        }

        @Override
        public void close()
        {
            unanswered.remove(number.number());
        }
    }
}
