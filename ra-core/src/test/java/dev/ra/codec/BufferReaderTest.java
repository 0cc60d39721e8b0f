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

    /**
     * A variable-length number has one encoding, the writer's shortest. The reader took longer ones too: a ten-byte
     * number whose last byte carried bits past the 64th lost them (2 read as 0, so a damaged length or index became
     * another, valid-looking one), and a number padded with empty continuation bytes (0x80 0x00 for 0) read as the
     * shorter one, so two different frames meant the same thing. Right: both are refused as malformed.
     */
    @Test
    void aVariableLengthNumberInAnyButItsShortestEncodingIsRefused()
    {
        final byte[] overflowing = {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80,
            (byte)0x80, (byte)0x80, (byte)0x80, 0x02};
        assertThatThrownBy(() -> new BufferReader(overflowing).readVarLong()).isInstanceOf(CodecException.class)
            .hasMessageContaining("64 bits");
        final byte[] padded = {(byte)0x80, 0x00};
        assertThatThrownBy(() -> new BufferReader(padded).readVarLong()).isInstanceOf(CodecException.class)
            .hasMessageContaining("shortest");
        final byte[] paddedOne = {(byte)0x81, (byte)0x80, 0x00};
        assertThatThrownBy(() -> new BufferReader(paddedOne).readVarLong()).isInstanceOf(CodecException.class)
            .hasMessageContaining("shortest");
    }

    @Test
    void everyVariableLengthNumberTheWriterWritesIsReadBack()
    {
        for (final long value : new long[]{0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1,
            Long.MIN_VALUE, 1L << 63 >>> 1, (1L << 62) + 5})
        {
            final BufferReader in = new BufferReader(new BufferWriter(16).writeVarLong(value).toByteArray());
            assertThat(in.readVarLong()).as("value %d", value).isEqualTo(value);
            assertThat(in.remaining()).isZero();
        }
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
