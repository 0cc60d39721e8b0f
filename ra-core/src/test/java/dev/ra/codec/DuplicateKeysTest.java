package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No valid encoder writes a set with a repeated element or a map with a repeated key: such bytes are damaged or
 * forged, and decoding them silently gave a smaller set, or a map whose earlier value the later one replaced, so two
 * members could disagree on what one command said.
 */
class DuplicateKeysTest
{
    private static final int STRING = 6;
    private static final int LONG = 4;
    private static final int SET = 10;
    private static final int MAP = 11;

    @Test
    void aGenericSetWithARepeatedElementIsRefusedNamingIt()
    {
        final byte[] bytes = new BufferWriter(64).writeByte(SET).writeVarLong(3)
            .writeByte(STRING).writeString("a").writeByte(STRING).writeString("twice")
            .writeByte(STRING).writeString("twice").toByteArray();

        assertThatThrownBy(() -> Codecs.generic().fromBytes(bytes)).isInstanceOf(CodecException.class)
            .hasMessageContaining("twice").hasMessageContaining("set");
    }

    @Test
    void aGenericMapWithARepeatedKeyIsRefusedNamingIt()
    {
        final byte[] bytes = new BufferWriter(64).writeByte(MAP).writeVarLong(2)
            .writeByte(STRING).writeString("twice").writeByte(LONG).writeLong(1)
            .writeByte(STRING).writeString("twice").writeByte(LONG).writeLong(2).toByteArray();

        assertThatThrownBy(() -> Codecs.generic().fromBytes(bytes)).isInstanceOf(CodecException.class)
            .hasMessageContaining("twice").hasMessageContaining("map");
        assertThatThrownBy(() -> Codecs.generic(new Class<?>[0]).fromBytes(bytes))
            .isInstanceOf(CodecException.class).hasMessageContaining("twice");
    }

    @Test
    void aMapOfCodecWithARepeatedKeyIsRefusedNamingIt()
    {
        final Codec<Map<String, Long>> codec = Codecs.mapOf(Codecs.string(), Codecs.int64());
        final byte[] bytes = new BufferWriter(64).writeVarLong(2).writeString("twice").writeLong(1)
            .writeString("twice").writeLong(2).toByteArray();

        assertThatThrownBy(() -> codec.fromBytes(bytes)).isInstanceOf(CodecException.class)
            .hasMessageContaining("twice").hasMessageContaining("map");
    }

    @Test
    void distinctElementsAndKeysStillRoundTripInTheirOrder()
    {
        final Set<Object> set = new LinkedHashSet<>(List.of("b", "a", 3L, List.of(1L)));
        final Map<Object, Object> map = new LinkedHashMap<>();
        map.put("z", 1L);
        map.put("a", null);
        map.put(2L, Set.of());
        assertThat(List.copyOf((Set<?>)Codecs.generic().fromBytes(Codecs.generic().toBytes(set))))
            .isEqualTo(List.copyOf(set));
        assertThat(List.copyOf(((Map<?, ?>)Codecs.generic().fromBytes(Codecs.generic().toBytes(map))).keySet()))
            .isEqualTo(List.copyOf(map.keySet()));
        assertThat(Codecs.generic().fromBytes(Codecs.generic().toBytes(map))).isEqualTo(map);
        final Codec<Map<String, Long>> codec = Codecs.mapOf(Codecs.string(), Codecs.int64());
        assertThat(codec.fromBytes(codec.toBytes(Map.of("x", 1L, "y", 2L)))).isEqualTo(Map.of("x", 1L, "y", 2L));
    }
}
