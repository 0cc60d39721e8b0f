package dev.ra.examples.txn;

/**
 * One change of a transaction, with the participant cluster that holds the account.
 *
 * @param participant name of the participant cluster.
 * @param account     in that cluster.
 * @param delta       amount to add; negative for a debit, never 0.
 */
public record Leg(String participant, String account, long delta)
{
    /** Checks the names and a non-zero delta. */
    public Leg
    {
        Names.require(participant, "participant");
        Names.require(account, "account");
        if (0 == delta)
        {
            throw new IllegalArgumentException("account '" + account + "' of '" + participant +
                "': a change of 0 changes nothing");
        }
    }

    /**
     * @return this leg as the participant sees it.
     */
    public Change change()
    {
        return new Change(account, delta);
    }
}
