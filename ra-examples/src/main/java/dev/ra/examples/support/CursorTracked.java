package dev.ra.examples.support;

/**
 * A machine state that remembers the log index of its last {@link dev.ra.Effect.ReleaseCursor}, so that
 * {@link ReleaseCursorPolicy} can decide deterministically when the next one is due.
 *
 * <p>The index is part of the replicated state (and of snapshots) rather than a counter in the machine object:
 * the machine object is shared and stateless, and every member must emit the cursor at the same index.
 *
 * @param <S> the state type itself.
 */
public interface CursorTracked<S extends CursorTracked<S>>
{
    /**
     * @return the log index of the last release cursor emitted, 0 if none.
     */
    long cursorIndex();

    /**
     * @param index of the release cursor being emitted.
     * @return a copy of this state with the cursor index replaced.
     */
    S withCursorIndex(long index);
}
