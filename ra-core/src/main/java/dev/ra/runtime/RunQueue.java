package dev.ra.runtime;

import java.util.concurrent.atomic.AtomicReference;

/**
 * An event loop's queue of servers with work in their mailboxes. Any thread queues a server, only the loop takes them.
 * A server is on the queue at most once (it is queued only by whoever turns its "scheduled" flag on, and the flag goes
 * off once its drain ends), so each server owns the one {@link Entry} that links it and a push allocates nothing.
 *
 * <p>Producers push onto a stack, one compare-and-set each; the loop takes the whole stack with one exchange and keeps
 * it, in arrival order, as its round: {@link #startRound} moves what arrived into it, {@link #next} takes from it.
 * A server queued during a round waits for the next, as it would behind the others on a first-in first-out queue.
 * What is left of a round when it ends early (a failure the loop caught) stays queued for the next.
 *
 * @param <T> what is queued.
 */
final class RunQueue<T>
{
    /** Entries queued since the last round started, the latest first. */
    private final AtomicReference<Entry<T>> arrived = new AtomicReference<>();
    /** Loop only: the entries of the current round, in arrival order. */
    private Entry<T> roundHead;
    private Entry<T> roundTail;

    /**
     * Queue an entry. Any thread; only the one that turned the server's scheduled flag on.
     *
     * @param entry not already queued.
     */
    void push(final Entry<T> entry)
    {
        Entry<T> top;
        do
        {
            top = arrived.get();
            entry.next = top;
        }
        while (!arrived.compareAndSet(top, entry));
    }

    /**
     * Loop only: add every entry queued so far to the round, in the order they were queued.
     */
    void startRound()
    {
        Entry<T> e = arrived.getAndSet(null);
        if (null == e)
        {
            return;
        }
        // Reverse the stack: the first queued becomes the first of the chain.
        final Entry<T> last = e;
        Entry<T> reversed = null;
        while (null != e)
        {
            final Entry<T> below = e.next;
            e.next = reversed;
            reversed = e;
            e = below;
        }
        if (null == roundTail)
        {
            roundHead = reversed;
        }
        else
        {
            roundTail.next = reversed;
        }
        roundTail = last;
    }

    /**
     * Loop only.
     *
     * @return what is next in the round, or null when the round is done.
     */
    T next()
    {
        final Entry<T> e = roundHead;
        if (null == e)
        {
            return null;
        }
        roundHead = e.next;
        if (null == roundHead)
        {
            roundTail = null;
        }
        // Unlinked before it runs: its drain may queue it again, which sets the link anew.
        e.next = null;
        return e.owner;
    }

    /**
     * Loop only.
     *
     * @return what is next, starting a new round if the current one is done; null if nothing is queued.
     */
    T poll()
    {
        if (null == roundHead)
        {
            startRound();
        }
        return next();
    }

    /**
     * Loop only.
     *
     * @return whether nothing is queued, in the round or since.
     */
    boolean isEmpty()
    {
        return null == roundHead && null == arrived.get();
    }

    /**
     * The place of one owner on a queue. Its link is written by whoever pushes it (before the push publishes it) and
     * then by the loop only, until the owner is taken and may be pushed again.
     *
     * @param <T> the owner's type.
     */
    static final class Entry<T>
    {
        final T owner;
        Entry<T> next;

        Entry(final T owner)
        {
            this.owner = owner;
        }
    }
}
