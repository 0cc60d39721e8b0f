package dev.ra.lincheck;

/**
 * A node of the doubly-linked event list the WGL search walks: the invocation or the completion of an
 * operation. Linearizing an operation unlinks its invocation and completion; backtracking relinks them.
 * Unlinked nodes keep their own pointers, which is what makes relinking in LIFO order O(1).
 */
final class SearchEntry
{
    final EncodedOperation operation;
    final boolean invocation;
    /** For an invocation, its completion entry; {@code null} for indeterminate operations, which never complete. */
    SearchEntry completion;
    SearchEntry prev;
    SearchEntry next;

    SearchEntry(final EncodedOperation operation, final boolean invocation)
    {
        this.operation = operation;
        this.invocation = invocation;
    }

    /** Removes this invocation and its completion from the list. */
    void unlink()
    {
        unlinkOne(this);
        if (completion != null)
        {
            unlinkOne(completion);
        }
    }

    /** Undoes {@link #unlink()}; must be called in the reverse order of unlinking. */
    void relink()
    {
        if (completion != null)
        {
            relinkOne(completion);
        }
        relinkOne(this);
    }

    private static void unlinkOne(final SearchEntry entry)
    {
        entry.prev.next = entry.next;
        if (entry.next != null)
        {
            entry.next.prev = entry.prev;
        }
    }

    private static void relinkOne(final SearchEntry entry)
    {
        entry.prev.next = entry;
        if (entry.next != null)
        {
            entry.next.prev = entry;
        }
    }
}
