package dev.ra.examples.txn;

/**
 * A participant's answer to a prepare.
 *
 * @param yes    true if the transaction is prepared and will be committed if the coordinator decides so.
 * @param reason why the vote is no; empty for a yes.
 */
public record Vote(boolean yes, String reason)
{
    /** A yes vote. */
    public static final Vote YES = new Vote(true, "");

    /**
     * @param reason of the refusal.
     * @return a no vote.
     */
    public static Vote no(final String reason)
    {
        return new Vote(false, reason);
    }
}
