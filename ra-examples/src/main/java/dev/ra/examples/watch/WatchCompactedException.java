package dev.ra.examples.watch;

import java.util.Objects;

/**
 * A watch asked for a start revision the history no longer holds (etcd's "required revision has been compacted").
 */
public final class WatchCompactedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The refusal. */
    private final transient WatchReply.Compacted compacted;

    /**
     * @param compacted the machine's refusal.
     */
    public WatchCompactedException(final WatchReply.Compacted compacted)
    {
        super("watch from revision " + compacted.requestedRevision() + " refused: the history was compacted up to " +
            "revision " + compacted.compactRevision() + "; the oldest start revision available is " +
            compacted.oldestAvailable());
        this.compacted = Objects.requireNonNull(compacted, "compacted");
    }

    /**
     * @return the machine's refusal, with the compaction revision.
     */
    public WatchReply.Compacted compacted()
    {
        return compacted;
    }
}
