package dev.ra.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A server's mailbox: a first-in first-out queue that any thread offers to and only the server's event loop takes
 * from. An offer is one atomic exchange of the tail and a volatile store of the link; a poll is an acquiring read and
 * plain writes, where a {@link java.util.concurrent.ConcurrentLinkedQueue}, which lets any thread poll, spends a
 * compare-and-set on each side.
 *
 * <p>Between an offer's exchange and its link the queue looks empty to the consumer, and so do the offers after it.
 * That is safe for the way servers use it: an offer is followed by the offering thread's own check of the server's
 * "scheduled" flag, made after its link, so a consumer that stopped at the gap and cleared the flag is scheduled again
 * by that producer (a server's {@code enqueue}). The consumer clears the flag (a volatile write) before it looks for
 * a link; the producer links (a volatile write) before it reads the flag: one of the two sees the other's write.
 *
 * @param <E> what it holds.
 */
final class MailboxQueue<E>
{
    private static final VarHandle NEXT;

    static
    {
        try
        {
            NEXT = MethodHandles.lookup().findVarHandle(Node.class, "next", Node.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Consumer only: the node before the first item (a spent node, or the initial one). */
    private Node<E> head;
    private final AtomicReference<Node<E>> tail;

    MailboxQueue()
    {
        final Node<E> stub = new Node<>(null);
        head = stub;
        tail = new AtomicReference<>(stub);
    }

    /**
     * Queue an item. Any thread.
     *
     * @param item not null.
     */
    void offer(final E item)
    {
        final Node<E> node = new Node<>(item);
        final Node<E> previous = tail.getAndSet(node);
        // A volatile store, not a release: the caller reads the scheduled flag next, and that read must not be
        // ordered before this link while the consumer clears the flag and then looks for a link (a lost wake-up).
        NEXT.setVolatile(previous, node);
    }

    /**
     * Take the first item. Consumer only.
     *
     * @return the item, or null if none is linked yet.
     */
    E poll()
    {
        @SuppressWarnings("unchecked")
        final Node<E> next = (Node<E>)NEXT.getAcquire(head);
        if (null == next)
        {
            return null;
        }
        final E item = next.item;
        // The taken node becomes the new head: drop its item so the queue does not keep it alive.
        next.item = null;
        head = next;
        return item;
    }

    /**
     * Consumer only.
     *
     * @return whether no item is linked yet (an offer between its exchange and its link counts as not yet there).
     */
    boolean isEmpty()
    {
        return null == NEXT.getVolatile(head);
    }

    /**
     * Drop every linked item. Consumer only.
     */
    void clear()
    {
        while (null != poll())
        {
            // dropped
        }
    }

    /**
     * Take everything queued, handing each to {@code each}; the consumer only.
     *
     * @param each told of each item, in order.
     */
    void drain(final Consumer<? super E> each)
    {
        E item;
        while (null != (item = poll()))
        {
            each.accept(item);
        }
    }

    private static final class Node<E>
    {
        E item;
        @SuppressWarnings("unused") // through NEXT
        volatile Node<E> next;

        Node(final E item)
        {
            this.item = item;
        }
    }
}
