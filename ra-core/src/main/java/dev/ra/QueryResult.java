package dev.ra;

/**
 * The outcome of a query: the query function's result and the position of the state it ran against.
 *
 * @param result  of the query function.
 * @param index   last applied index of the state the query ran against.
 * @param term    of the entry at that index (0 when not known, for example right after a snapshot).
 * @param leader  the leader known to the member that ran the query, or null when none was known.
 * @param <R>     the result type.
 */
public record QueryResult<R>(R result, long index, long term, ServerId leader)
{
}
