package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Counts and lengths read from damaged or forged input are checked against what the input holds before anything is
 * allocated for them.
 */
class BufferReaderTest
{
    @Test
    void aCountThatOverflowsWhenMultipliedByTheItemSizeIsRefused()
    {
        // 11 × this count is 2^64 + 6: multiplied in a long it wraps to 6, which the 16 bytes left would allow, and
        // the count's low 32 bits (1,561,806,290) became a list's capacity: a damaged AppendEntries frame ran the
        // decoder out of heap (WireCodecProperties, seed -251579978392258529).
        final long count = 1_676_976_733_973_595_602L;
        final BufferReader in = countThenZeros(count, 16);
        assertThatThrownBy(() -> in.readCount(11)).isInstanceOf(CodecException.class)
            .hasMessageContaining("count " + count);
    }

    @Test
    void aCountTheInputCanHoldIsRead()
    {
        assertThat(countThenZeros(3, 33).readCount(11)).isEqualTo(3);
        assertThatThrownBy(() -> countThenZeros(3, 32).readCount(11))
            .isInstanceOf(CodecException.class);
    }

    /** A count as the decoders read it, followed by {@code zeros} bytes of items. */
    private static BufferReader countThenZeros(final long count, final int zeros)
    {
        final BufferWriter out = new BufferWriter(32).writeVarLong(count);
        for (int i = 0; i < zeros; i++)
        {
            out.writeByte(0);
        }
        return new BufferReader(out.toByteArray());
    }
}
