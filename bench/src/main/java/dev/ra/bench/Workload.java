package dev.ra.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The workload shared by every figure and by the peers (bench-peers uses the same sizes): a put of a 16-byte key and
 * a 100-byte value, keys drawn from a fixed key space.
 */
public final class Workload
{
    /** Key size in bytes. */
    public static final int KEY_BYTES = 16;

    /** Value size in bytes. */
    public static final int VALUE_BYTES = 100;

    /** Number of distinct keys. */
    public static final int KEY_SPACE = 10_000;

    private Workload()
    {
    }

    /**
     * A fresh command: key {@code i mod KEY_SPACE} (decimal, zero-padded to 16 bytes) followed by a random value.
     *
     * @param i sequence number.
     * @return 116 bytes.
     */
    public static byte[] put(final long i)
    {
        final byte[] command = new byte[KEY_BYTES + VALUE_BYTES];
        long k = Math.floorMod(i, (long)KEY_SPACE);
        for (int p = KEY_BYTES - 1; p >= 0; p--)
        {
            command[p] = (byte)('0' + (k % 10));
            k /= 10;
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int p = KEY_BYTES; p < command.length; p++)
        {
            command[p] = (byte)('a' + random.nextInt(26));
        }
        return command;
    }
}
