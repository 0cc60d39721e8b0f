package dev.ra.examples.txn;

import java.util.Objects;

/**
 * A participant's reply to a deposit it did not apply.
 *
 * @param reason why, for the caller.
 */
public record Refused(String reason)
{
    /** Checks that the reason is not null. */
    public Refused
    {
        Objects.requireNonNull(reason, "reason");
    }
}
