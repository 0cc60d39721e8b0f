package dev.ra.examples.txn;

/**
 * One participant's part of a transaction: add {@code delta} to an account (negative: a debit).
 *
 * @param account to change.
 * @param delta   amount to add; never 0.
 */
public record Change(String account, long delta)
{
    /** Checks the account name and a non-zero delta. */
    public Change
    {
        Names.require(account, "account");
        if (0 == delta)
        {
            throw new IllegalArgumentException("account '" + account + "': a change of 0 changes nothing");
        }
    }
}
