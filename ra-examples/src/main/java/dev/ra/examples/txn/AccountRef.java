package dev.ra.examples.txn;

/**
 * An account and the participant cluster that holds it, as a transfer names it.
 *
 * @param participant name of the participant cluster.
 * @param account     in that cluster.
 */
public record AccountRef(String participant, String account)
{
    /** Checks the names. */
    public AccountRef
    {
        Names.require(participant, "participant");
        Names.require(account, "account");
    }

    @Override
    public String toString()
    {
        return account + "@" + participant;
    }
}
