package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link Codecs#refusing}: the command codec of an older machine version refuses, both ways, the commands a newer
 * version added, and takes every other value as the codec it wraps does.
 */
class RefusingCodecTest
{
    private record Old(int value)
    {
    }

    private record New(int value)
    {
    }

    private static final Codec<Object> OLDER = Codecs.refusing(Codecs.generic(), New.class::isInstance,
        "New needs machine version 1");

    @Test
    void aValueTheOlderVersionLacksIsRefusedBothWaysAndOthersPass()
    {
        assertThat(OLDER.fromBytes(OLDER.toBytes(new Old(3)))).isEqualTo(new Old(3));
        assertThat(OLDER.fromBytes(OLDER.toBytes("text"))).isEqualTo("text");

        assertThatThrownBy(() -> OLDER.toBytes(new New(1))).isInstanceOf(CodecException.class)
            .hasMessage("New needs machine version 1");
        final byte[] written = Codecs.generic().toBytes(new New(1));
        assertThatThrownBy(() -> OLDER.fromBytes(written)).isInstanceOf(CodecException.class)
            .hasMessage("New needs machine version 1");
    }
}
