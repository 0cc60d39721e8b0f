package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The generic codec finds the enum or record class the bytes name on the class path, initialises it and runs its
 * constructor: bytes from another node (damaged or forged) could make a node initialise any enum and construct any
 * record it has. {@code Codecs.generic(types)} names only the types a machine declares and those reachable from them,
 * and refuses any other before loading it.
 */
class DeclaredGenericCodecTest
{
    private static final int ENUM = 14;
    private static final int RECORD = 15;

    /** How many times a class no codec declares was initialised or constructed. */
    static final AtomicInteger TRIPPED = new AtomicInteger();

    sealed interface Command permits Add, Remove
    {
    }

    record Add(String key, Item item, List<Colour> colours, Map<String, Item> named) implements Command
    {
    }

    record Remove(String key) implements Command
    {
    }

    record Item(long amount)
    {
    }

    enum Colour
    {
        RED, GREEN
    }

    /** A record on the class path that no machine declares, whose initialisation and construction are seen. */
    record Tripwire(Object value)
    {
        static final int INITIALISED = TRIPPED.incrementAndGet();

        Tripwire
        {
            TRIPPED.incrementAndGet();
        }
    }

    /** An enum on the class path that no machine declares. */
    enum TripwireEnum
    {
        ONLY;

        static final int INITIALISED = TRIPPED.incrementAndGet();
    }

    @Test
    void theDeclaredTypesAndThoseReachableFromThemRoundTrip()
    {
        final Codec<Object> codec = Codecs.generic(Command.class);
        final Command add = new Add("k", new Item(3), List.of(Colour.RED, Colour.GREEN), Map.of("x", new Item(4)));
        assertThat(codec.fromBytes(codec.toBytes(add))).isEqualTo(add);
        assertThat(codec.fromBytes(codec.toBytes(new Remove("k")))).isEqualTo(new Remove("k"));
        // The same bytes as the unrestricted codec's, both ways.
        assertThat(codec.toBytes(add)).isEqualTo(Codecs.generic().toBytes(add));
        assertThat(Codecs.generic().fromBytes(codec.toBytes(add))).isEqualTo(add);
        final Codec<Object> plain = Codecs.generic(new Class<?>[0]);
        assertThat(plain.fromBytes(plain.toBytes(List.of(1L, "a", Map.of("b", true))))).isEqualTo(
            List.of(1L, "a", Map.of("b", true)));
    }

    @Test
    void bytesNamingAnUndeclaredRecordOrEnumFailWithoutInitialisingIt()
    {
        final Codec<Object> codec = Codecs.generic(Command.class);
        final byte[] record = new BufferWriter(64).writeByte(RECORD).writeString(Tripwire.class.getName())
            .writeByte(0).toByteArray();
        final byte[] anEnum = new BufferWriter(64).writeByte(ENUM).writeString(TripwireEnum.class.getName())
            .writeString("ONLY").toByteArray();
        final byte[] nested = new BufferWriter(64).writeByte(RECORD).writeString(Remove.class.getName())
            .writeByte(RECORD).writeString(Tripwire.class.getName()).writeByte(0).toByteArray();

        assertThatThrownBy(() -> codec.fromBytes(record)).isInstanceOf(CodecException.class)
            .hasMessageContaining(Tripwire.class.getName()).hasMessageContaining("declare");
        assertThatThrownBy(() -> codec.fromBytes(anEnum)).isInstanceOf(CodecException.class)
            .hasMessageContaining(TripwireEnum.class.getName());
        assertThatThrownBy(() -> codec.fromBytes(nested)).isInstanceOf(CodecException.class)
            .hasMessageContaining(Tripwire.class.getName());
        assertThat(TRIPPED).as("initialisations and constructions of undeclared classes").hasValue(0);
    }

    @Test
    void anUndeclaredRecordOrEnumIsRefusedOnEncodeSoNoMemberWritesWhatOthersCannotRead()
    {
        final Codec<Object> codec = Codecs.generic(Remove.class);
        assertThatThrownBy(() -> codec.toBytes(new Item(1))).isInstanceOf(CodecException.class)
            .hasMessageContaining(Item.class.getName());
        assertThatThrownBy(() -> codec.toBytes(List.of(Colour.RED))).isInstanceOf(CodecException.class)
            .hasMessageContaining(Colour.class.getName());
    }
}
