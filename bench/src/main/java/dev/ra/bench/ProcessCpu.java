package dev.ra.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time (user + system) of whole processes, read from {@code /proc/<pid>/stat}, so that a figure can say how much
 * CPU each of its JVMs spent per operation. On two cores, CPU per operation is what decides whether the threads on a
 * command's path find a core free when they wake, so it explains latency differences that no single hop shows.
 */
final class ProcessCpu
{
    /** What each reading of a figure's processes is, in order: the leader's, the two followers', the client's. */
    static final List<String> ROLES = List.of("leader", "follower_a", "follower_b", "client");

    /** Clock ticks per second of {@code /proc} times: USER_HZ, 100 on every Linux architecture the JDK runs on. */
    private static final long TICKS_PER_SECOND = 100;
    private static final int UTIME_FIELD = 14;

    private ProcessCpu()
    {
    }

    /**
     * @param pid process id.
     * @return its CPU time so far in nanoseconds, or -1 where {@code /proc} cannot be read (not Linux, process gone).
     */
    static long nanos(final long pid)
    {
        try
        {
            final String stat =
                Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            final int utime = UTIME_FIELD - 3;
            final long ticks = Long.parseLong(fields[utime]) + Long.parseLong(fields[utime + 1]);
            return ticks * (1_000_000_000L / TICKS_PER_SECOND);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * CPU time of several processes, taken together.
     *
     * @param pids processes.
     * @return one reading per process, in the same order.
     */
    static long[] nanos(final List<Long> pids)
    {
        final long[] out = new long[pids.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = nanos(pids.get(i));
        }
        return out;
    }

    /**
     * @param micros per-process figures from {@link #microsPerOp}.
     * @return their sum, or -1 if any is unknown.
     */
    static double total(final double[] micros)
    {
        double total = 0;
        for (final double m : micros)
        {
            if (m < 0)
            {
                return -1;
            }
            total += m;
        }
        return Math.round(total * 10) / 10.0;
    }

    /**
     * @param micros per-process figures from {@link #microsPerOp}, in the order of {@link #ROLES}.
     * @return each under its role, then their sum under {@code all} (see {@link #total}), in that order.
     */
    static Map<String, Double> byRole(final double[] micros)
    {
        final Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < micros.length; i++)
        {
            out.put(ROLES.get(i), micros[i]);
        }
        out.put("all", total(micros));
        return out;
    }

    /**
     * Add what each process spent between two readings to a running total; a process whose reading failed once stays
     * unknown (-1).
     *
     * @param spent  running totals, one per process, updated in place.
     * @param before reading at the start.
     * @param after  reading at the end.
     * @return {@code after}, to serve as the next interval's start.
     */
    static long[] accumulate(final long[] spent, final long[] before, final long[] after)
    {
        for (int i = 0; i < spent.length; i++)
        {
            spent[i] = spent[i] < 0 || before[i] < 0 || after[i] < 0 ? -1 : spent[i] + after[i] - before[i];
        }
        return after;
    }

    /**
     * @param before reading at the start.
     * @param after  reading at the end.
     * @param ops    operations in between.
     * @return microseconds of CPU per operation for each process, -1 where either reading failed.
     */
    static double[] microsPerOp(final long[] before, final long[] after, final long ops)
    {
        final double[] out = new double[before.length];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = before[i] < 0 || after[i] < 0 || ops <= 0 ? -1 :
                Math.round((after[i] - before[i]) / 1e3 / ops * 10) / 10.0;
        }
        return out;
    }
}
