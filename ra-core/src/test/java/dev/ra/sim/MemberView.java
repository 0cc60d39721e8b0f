package dev.ra.sim;

import dev.ra.ServerId;
import dev.ra.core.ServerCore;

/**
 * What the safety checker may inspect of one member: its core (null while it is down) and its durable stores, which
 * outlive a crash.
 *
 * @param index     of the member in the checker's arrays.
 * @param id        of the member.
 * @param core      the running core, or null when the member is down.
 * @param log       its log store; {@link SimLogStore#lastWrittenIndex()} is what is really durable.
 * @param snapshots its snapshot store.
 */
record MemberView(int index, ServerId id, ServerCore core, SimLogStore log, SimSnapshotStore snapshots)
{
    /**
     * @param index of an entry.
     * @param term  of that entry.
     * @return whether this member holds that entry durably (in its synced log or under its snapshot).
     */
    boolean holdsDurably(final long index, final long term)
    {
        if (index <= log.firstIndex() - 1)
        {
            // Under the store's base: covered by a snapshot, committed, hence the same entry.
            return true;
        }
        return log.lastWrittenIndex() >= index && log.term(index) == term;
    }
}
