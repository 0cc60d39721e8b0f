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
 * @param owedIndex the last index it had acknowledged before its storage was damaged, while it is still owed it back
 *                  (it neither votes nor campaigns until a leader has re-replicated past it), else 0.
 */
record MemberView(int index, ServerId id, ServerCore core, SimLogStore log, SimSnapshotStore snapshots,
    long owedIndex)
{
    /**
     * @param index of an entry.
     * @param term  of that entry.
     * @return whether this member holds that entry durably (in its synced log or under its snapshot), or lost it
     *     to damaged storage after acknowledging it and will not vote until it is given it back: for elections it
     *     still counts as holding it, which is what keeps what it helped commit safe.
     */
    boolean holdsDurably(final long index, final long term)
    {
        if (index <= log.firstIndex() - 1 || (null != snapshots.latest() && index <= snapshots.latest().index()))
        {
            // Under the store's base or its durable snapshot: committed, hence the same entry on every member (a
            // reply may then carry no term: the core knows no term below its snapshot).
            return true;
        }
        if (owedIndex >= index)
        {
            return true;
        }
        return log.lastWrittenIndex() >= index && log.term(index) == term;
    }
}
