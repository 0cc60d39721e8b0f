package dev.ra.sim;

import dev.ra.core.CoreTestAccess;

/** Manual probe: runs seeds with an optional bug and prints timing and outcome per seed. */
public final class SimProbe
{
    private SimProbe()
    {
    }

    /**
     * @param args first seed, count, servers, bug name or "none", lying disk (true/false).
     */
    public static void main(final String[] args)
    {
        final long first = Long.parseLong(args[0]);
        final int count = Integer.parseInt(args[1]);
        final int servers = Integer.parseInt(args[2]);
        final CoreTestAccess.Bug bug = "none".equals(args[3]) ? null : CoreTestAccess.Bug.valueOf(args[3]);
        final boolean lying = Boolean.parseBoolean(args[4]);
        for (long seed = first; seed < first + count; seed++)
        {
            Simulation.Options options = Simulation.Options.standard(seed, servers).withBug(bug);
            if (lying)
            {
                options = options.withLyingDisk();
            }
            final long start = System.nanoTime();
            String outcome;
            try
            {
                outcome = String.valueOf(new Simulation(options).run());
            }
            catch (final Simulation.Violation v)
            {
                final String m = v.getMessage();
                outcome = "VIOLATION " + m.substring(0, Math.min(m.length(), Integer.getInteger("probe.max", 4000)));
            }
            System.out.printf("seed %d: %d ms %s%n", seed, (System.nanoTime() - start) / 1_000_000, outcome);
        }
    }
}
