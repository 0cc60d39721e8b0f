package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Codec#toBytes(Object)} reuses a per-thread writer; these are the cases where reuse could go wrong.
 */
class ScratchWritersTest
{
    /** Encodes a byte array, framed by a nested {@code toBytes} of its length: toBytes inside encode. */
    private static final Codec<byte[]> NESTING = new Codec<>()
    {
        private final Codec<String> inner = Codecs.string();

        @Override
        public void encode(final byte[] value, final BufferWriter out)
        {
            out.writeByteArray(inner.toBytes("len=" + value.length));
            out.writeByteArray(value);
        }

        @Override
        public byte[] decode(final BufferReader in)
        {
            final String header = inner.fromBytes(in.readByteArray());
            final byte[] value = in.readByteArray();
            assertThat(header).isEqualTo("len=" + value.length);
            return value;
        }
    };

    @Test
    void aCodecCallingToBytesInsideEncodeGetsItsOwnWriter()
    {
        final byte[] value = filled(300, (byte)7);
        assertThat(NESTING.fromBytes(NESTING.toBytes(value))).isEqualTo(value);
    }

    @Test
    void consecutiveEncodingsDoNotShareBytes()
    {
        final byte[] first = NESTING.toBytes(filled(100, (byte)1));
        final byte[] second = NESTING.toBytes(filled(50, (byte)2));
        assertThat(NESTING.fromBytes(first)).isEqualTo(filled(100, (byte)1));
        assertThat(NESTING.fromBytes(second)).isEqualTo(filled(50, (byte)2));
    }

    @Test
    void aLargeValueThenASmallOneBothRoundTrip()
    {
        final byte[] large = filled(1 << 20, (byte)3);
        assertThat(NESTING.fromBytes(NESTING.toBytes(large))).isEqualTo(large);
        final byte[] small = filled(3, (byte)4);
        assertThat(NESTING.toBytes(small)).hasSizeLessThan(32);
        assertThat(NESTING.fromBytes(NESTING.toBytes(small))).isEqualTo(small);
    }

    @Test
    void aFailingEncodeLeavesTheWriterUsable()
    {
        final Codec<String> failing = new Codec<>()
        {
            @Override
            public void encode(final String value, final BufferWriter out)
            {
                out.writeString(value);
                if (value.equals("bad"))
                {
                    throw new CodecException("cannot encode " + value);
                }
            }

            @Override
            public String decode(final BufferReader in)
            {
                return in.readString();
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> failing.toBytes("bad"))
            .isInstanceOf(CodecException.class);
        assertThat(failing.fromBytes(failing.toBytes("good"))).isEqualTo("good");
    }

    private static byte[] filled(final int length, final byte value)
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
