package dev.ra.examples.lease;

/**
 * The settings of a {@link LeasedKvMachine} that decide what its entries do, held in its replicated state (machine
 * version 3) so that every member applies every entry with the same ones, whatever its own machine was constructed
 * with.
 *
 * @param historyLimit             number of revisions with changes kept for watches, at least 1.
 * @param unreachableWatchExpiryMs how long (log time) a watch is kept while its watcher's node is unreachable; at
 *                                 least 0.
 */
public record LeasedKvSettings(int historyLimit, long unreachableWatchExpiryMs)
{
    /** The settings of a store none were put in force for: the machine's defaults. */
    public static final LeasedKvSettings DEFAULTS = new LeasedKvSettings(LeasedKvMachine.DEFAULT_HISTORY_LIMIT,
        LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY.toMillis());

    /** Checks the ranges. */
    public LeasedKvSettings
    {
        if (historyLimit < 1)
        {
            throw new IllegalArgumentException("history limit must be >= 1, got " + historyLimit);
        }
        if (unreachableWatchExpiryMs < 0)
        {
            throw new IllegalArgumentException("unreachable watch expiry must be >= 0 ms, got " +
                unreachableWatchExpiryMs);
        }
    }
}
