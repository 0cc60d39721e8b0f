package dev.ra.sim;

import dev.ra.core.RaftEvent;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Whether a simulated member is paused (as a process stopped with SIGSTOP) and what reached it meanwhile. A paused
 * member handles nothing and so sends nothing; every event meant for it (messages, which TCP would buffer, its
 * timers, ticks and disk completions, which would fire late) is held, and handled in order when it resumes. Its
 * connections stay open: peers are not told it is down, only, by the node's silence detector, that it went silent.
 */
final class PauseState
{
    private final ArrayDeque<RaftEvent> held = new ArrayDeque<>();
    private boolean paused;
    /** Counts pauses, so that a silence report scheduled for an earlier pause is not delivered in a later one. */
    private long generation;

    boolean paused()
    {
        return paused;
    }

    long generation()
    {
        return generation;
    }

    void pause()
    {
        paused = true;
        generation++;
    }

    /**
     * @param event meant for the member.
     * @return true if it is held because the member is paused.
     */
    boolean hold(final RaftEvent event)
    {
        if (paused)
        {
            held.addLast(event);
        }
        return paused;
    }

    /**
     * Resume and hand every held event, in order, to {@code deliver}.
     */
    void resume(final Consumer<RaftEvent> deliver)
    {
        paused = false;
        while (!held.isEmpty() && !paused)
        {
            deliver.accept(held.pollFirst());
        }
    }

    /**
     * The member crashed or restarted: what was held is lost with the process.
     */
    void reset()
    {
        paused = false;
        held.clear();
    }
}
