package dev.ra.sim;

import java.util.SplittableRandom;

/**
 * Damages the durable state of a member that crashed, the ways a disk or an operator damages ra-log's files: the log
 * loses its newest durable entries (a WAL file truncated at or inside a batch, zero-filled from some point, truncated
 * to its header or deleted) and, more rarely, term and vote are lost (both copies of the meta file). Only a minority
 * of the voters is ever damaged at a time: with a damaged majority no leader can be elected, by design.
 *
 * <p>{@link Mode#DETECTED} reports the damage to the restarted core as ra-log does
 * ({@link dev.ra.core.RecoveredState#acknowledgedIndex()}, {@link dev.ra.core.RecoveredState#termAndVoteLost()});
 * {@link Mode#UNDETECTED} restarts the member as if nothing had happened, as ra-log used to, to prove the checks see
 * the difference. Draws from its own random stream, so the schedule of a seed without damage is unchanged.
 */
final class SimDamage
{
    /** What happens to a crashed member's storage. */
    enum Mode
    {
        /** Nothing. */
        OFF,
        /** Damaged, and the damage is reported at restart. */
        DETECTED,
        /** Damaged silently. */
        UNDETECTED
    }

    /**
     * One damage.
     *
     * @param hadIndex        the member's last durable index before the damage.
     * @param keptIndex       its last index after it.
     * @param termAndVoteLost whether term and vote were lost.
     */
    record Damage(long hadIndex, long keptIndex, boolean termAndVoteLost)
    {
    }

    private static final int PERCENT_OF_CRASHES = 40;

    private final Mode mode;
    private final SplittableRandom random;
    private int struck;
    private int recovered;

    SimDamage(final Mode mode, final long seed)
    {
        this.mode = mode;
        this.random = new SplittableRandom(seed ^ 0xDA3A6EL);
    }

    /**
     * The mode of a seed: {@code -Dra.sim.damage=off|all|share} (default {@code share}: every third seed).
     *
     * @param seed of the run.
     * @return its mode.
     */
    static Mode modeFor(final long seed)
    {
        final String setting = System.getProperty("ra.sim.damage", "share");
        return switch (setting)
        {
            case "off" -> Mode.OFF;
            case "all" -> Mode.DETECTED;
            case "undetected" -> Mode.UNDETECTED;
            case "share" -> seed % 3 == 0 ? Mode.DETECTED : Mode.OFF;
            default -> throw new IllegalArgumentException("ra.sim.damage must be off, all, share or undetected: " +
                setting);
        };
    }

    Mode mode()
    {
        return mode;
    }

    /**
     * A member reported that it recovered from its damage.
     */
    void recovered()
    {
        recovered++;
    }

    /**
     * @return how many times a member's storage was damaged.
     */
    int struck()
    {
        return struck;
    }

    /**
     * @return how many times a member recovered from damage.
     */
    int recoveries()
    {
        return recovered;
    }

    /**
     * Maybe damage a crashed member's storage.
     *
     * @param log           its log, volatile entries already lost.
     * @param damagedVoters members whose storage is damaged and not yet recovered, this one excluded.
     * @param maxDamaged    most members that may be damaged at once and leave a majority of every configuration in
     *                      play undamaged.
     * @return what was done, or null.
     */
    Damage strike(final SimLogStore log, final int damagedVoters, final int maxDamaged)
    {
        if (mode == Mode.OFF || random.nextInt(100) >= PERCENT_OF_CRASHES || damagedVoters + 1 > maxDamaged)
        {
            return null;
        }
        final long had = log.lastIndex();
        final long base = log.firstIndex() - 1;
        final long span = had - base;
        final long kept = switch (random.nextInt(4))
        {
            // a few batches at the end (a WAL truncated at or inside its last batches, zero-filled from there)
            case 0, 1 -> had - Math.min(span, 1 + random.nextInt(5));
            // from anywhere in the newest file
            case 2 -> span == 0 ? had : had - 1 - random.nextLong(span);
            // the whole tail the WAL held (the newest WAL file deleted or truncated to its header)
            default -> base;
        };
        final boolean termLost = random.nextInt(8) == 0;
        if (kept == had && !termLost)
        {
            return null;
        }
        log.loseFrom(kept + 1);
        struck++;
        return new Damage(had, kept, termLost);
    }
}
