package dev.ra;

/**
 * A lightweight process registered with a {@link RaSystem}: a mailbox whose messages are handed, one at a time and in
 * order, to the handler given to {@link RaSystem#spawn}. Machines address it by {@link #ref()}: they send it messages
 * with {@link Effect.SendMsg}, notify it of pipelined commands with {@link RaEvent}s, and watch it with
 * {@link Effect.Monitor}.
 *
 * <p>Ending the process ({@link #close()} or {@link #fail()}) makes every leader that monitors it append a
 * {@link BuiltinCommand.Down}. Thread-safe.
 */
public interface RaProcess extends AutoCloseable
{
    /**
     * @return the reference machines use to address this process.
     */
    ProcessRef ref();

    /**
     * @return true until the process is closed or failed.
     */
    boolean isAlive();

    /**
     * End the process normally: monitors see {@link DownReason#NORMAL}. Messages not yet handled are dropped.
     * Idempotent.
     */
    @Override
    void close();

    /**
     * End the process with an error: monitors see {@link DownReason#ERROR}. Idempotent; a no-op once closed.
     */
    void fail();
}
