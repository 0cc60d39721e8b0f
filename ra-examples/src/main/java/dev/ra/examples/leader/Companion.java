package dev.ra.examples.leader;

/**
 * Application code that must run on exactly one node at a time, next to the Raft leader: the "companion" of the
 * follow-the-leader recipe. {@link CompanionHost} calls it, always from its own single thread, never concurrently.
 */
public interface Companion
{
    /**
     * Begin working. Attach {@code epoch} to every request to shared resources, so that they can reject a former
     * leader's companion that has not noticed yet (a fencing token).
     *
     * @param epoch of the leadership this companion serves; larger for every new leadership.
     */
    void start(long epoch);

    /**
     * Stop working: this node no longer leads, or could not confirm it does. Must return promptly.
     *
     * @param epoch the companion was started with.
     */
    void stop(long epoch);
}
