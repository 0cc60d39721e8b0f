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
        final BufferWriter out = new BufferWriter(32).writeVarLong(count);
        for (int i = 0; i < 16; i++)
        {
            out.writeByte(0);
        }
        final BufferReader in = new BufferReader(out.toByteArray());
        assertThatThrownBy(() -> in.readCount(11)).isInstanceOf(CodecException.class)
            .hasMessageContaining("count " + count);
    }

    @Test
    void aCountTheInputCanHoldIsRead()
    {
        final BufferWriter out = new BufferWriter(32).writeVarLong(3);
        for (int i = 0; i < 33; i++)
        {
            out.writeByte(0);
        }
        assertThat(new BufferReader(out.toByteArray()).readCount(11)).isEqualTo(3);
        final BufferWriter tooFew = new BufferWriter(32).writeVarLong(3);
        for (int i = 0; i < 32; i++)
        {
            tooFew.writeByte(0);
        }
        assertThatThrownBy(() -> new BufferReader(tooFew.toByteArray()).readCount(11))
            .isInstanceOf(CodecException.class);
    }
}
