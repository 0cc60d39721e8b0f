package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Codecs#genericEncoded()} on the values whose extent takes more than the bytes (records, whose components are
 * counted from their class) and on hostile bytes: CodecProperties covers plain values only. It reads exactly one
 * value, stops at its end, and every truncation, single-byte change, deep nesting or name of no record fails with a
 * CodecException.
 */
class GenericEncodedRecordsTest
{
    enum Colour
    {
        RED, GREEN
    }

    record Inner(int count, Colour colour, List<Object> rest)
    {
    }

    record Outer(Inner inner, Map<String, Object> map, Set<Object> set, ProcessRef process, ServerId server, byte b,
        short s, char c, float f)
    {
    }

    record Empty()
    {
    }

    private static final Object VALUE = List.of(new Outer(new Inner(1, Colour.GREEN, List.of(new Empty(), "x", 3L)),
        Map.of("k", new Empty()), Set.of(Colour.RED), new ProcessRef("n1", 5), new ServerId("a", "n1"), (byte)-3,
        (short)-7, 'q', 1.5f), Bytes.wrap(new byte[] {1, 2}), new byte[] {3});

    @Test
    void readsOneValueOfRecordsAndEnumsToItsEndAndNoFurther()
    {
        final byte[] bytes = Codecs.generic().toBytes(VALUE);
        final byte[] followed = Arrays.copyOf(bytes, bytes.length + 1);
        followed[bytes.length] = 77;
        final BufferReader in = new BufferReader(followed);

        assertThat(Codecs.genericEncoded().decode(in).toByteArray()).isEqualTo(bytes);
        assertThat(in.readUnsignedByte()).isEqualTo(77);
    }

    @Test
    void everyTruncationAndEveryChangedByteFailsAsACodecException()
    {
        final byte[] bytes = Codecs.generic().toBytes(VALUE);
        for (int length = 0; length < bytes.length; length++)
        {
            final byte[] cut = Arrays.copyOf(bytes, length);
            assertThat(catchThrowable(() -> Codecs.genericEncoded().fromBytes(cut))).as("cut to %d", length)
                .isInstanceOf(CodecException.class);
        }
        for (int i = 0; i < bytes.length; i++)
        {
            for (int b = 0; b < 256; b++)
            {
                final byte[] changed = bytes.clone();
                changed[i] = (byte)b;
                final Throwable thrown = catchThrowable(() -> Codecs.genericEncoded().fromBytes(changed));
                assertThat(null == thrown || thrown instanceof CodecException).as("byte %d set to %d: %s", i, b,
                    thrown).isTrue();
            }
        }
    }

    @Test
    void hostileNestingCountsAndNamesFailAsACodecException()
    {
        final byte[] nested = new byte[100_000];
        for (int i = 0; i < nested.length; i += 2)
        {
            nested[i] = GenericCodec.LIST;
            nested[i + 1] = 1;
        }
        assertThat(catchThrowable(() -> Codecs.genericEncoded().fromBytes(nested))).isInstanceOf(CodecException.class);
        final byte[] hugeList = new BufferWriter(16).writeByte(GenericCodec.LIST).writeVarLong(Long.MAX_VALUE)
            .toByteArray();
        assertThat(catchThrowable(() -> Codecs.genericEncoded().fromBytes(hugeList)))
            .isInstanceOf(CodecException.class);
        for (final String name : List.of("java.lang.String", "java.lang.Record", "no.such.Record", "[I", "",
            Colour.class.getName()))
        {
            final byte[] record = new BufferWriter(64).writeByte(GenericCodec.RECORD).writeString(name).toByteArray();
            assertThat(catchThrowable(() -> Codecs.genericEncoded().fromBytes(record))).as(name)
                .isInstanceOf(CodecException.class);
        }
    }
}
