package dev.ra.runtime;

/**
 * The system's clocks: {@link System#nanoTime} and {@link System#currentTimeMillis}. The default {@link RuntimeClock}.
 */
final class SystemClock implements RuntimeClock
{
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock()
    {
    }

    @Override
    public long nanoTime()
    {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis()
    {
        return System.currentTimeMillis();
    }
}
