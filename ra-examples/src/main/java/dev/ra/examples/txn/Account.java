package dev.ra.examples.txn;

/**
 * An account of a participant.
 *
 * @param balance  available to spend.
 * @param reserved held by prepared transactions that debit the account: it left {@code balance} at prepare, and
 *                 leaves the account at commit or returns to {@code balance} at abort. {@code balance + reserved}
 *                 changes only when a transaction commits.
 */
public record Account(long balance, long reserved)
{
    /** An account that holds nothing. */
    public static final Account EMPTY = new Account(0, 0);

    /**
     * @return balance plus reserved: the money the account holds.
     */
    public long total()
    {
        return Math.addExact(balance, reserved);
    }
}
