package dev.ra.examples.txn;

import java.util.UUID;

/**
 * Transaction ids that carry a STAMP: {@code txn-<milliseconds>-<unique>}, the milliseconds of the wall clock where
 * the id was made. From machine version 1 the coordinator forgets the oldest of the finished transactions whose ids
 * are stamped (once their stamps are a few minutes older than its log time), and refuses to begin a stamped id whose
 * stamp is not after every stamp it forgot ({@link CoordinatorMachine}): such an id may name a transfer that ended and
 * was forgotten, and beginning it again could report another outcome than the one its money took. It also refuses a
 * new stamped id whose stamp is further than a bound (a minute by default) from its log time, so the clock of the
 * process that calls {@link #next()} must be that close to the coordinator's. Ids of any other form are kept for
 * ever, as in version 0.
 */
public final class TransferIds
{
    private static final String PREFIX = "txn-";
    /** More digits than this could overflow a long; such an id is not stamped. */
    private static final int MAX_DIGITS = 18;

    private TransferIds()
    {
    }

    /**
     * @return a new stamped id, stamped with this process's wall clock.
     */
    public static String next()
    {
        return PREFIX + Math.max(1, System.currentTimeMillis()) + "-" + UUID.randomUUID();
    }

    /**
     * @param txId a transaction id.
     * @return its stamp (at least 1), or 0 if it is not of the stamped form.
     */
    public static long stampOf(final String txId)
    {
        if (!txId.startsWith(PREFIX))
        {
            return 0;
        }
        final int end = txId.indexOf('-', PREFIX.length());
        final int digits = end - PREFIX.length();
        if (digits < 1 || digits > MAX_DIGITS || end == txId.length() - 1)
        {
            return 0;
        }
        long stamp = 0;
        for (int i = PREFIX.length(); i < end; i++)
        {
            final char c = txId.charAt(i);
            if (c < '0' || c > '9')
            {
                return 0;
            }
            stamp = stamp * 10 + (c - '0');
        }
        return stamp;
    }
}
