package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generic codec writes a record as its class name and its components in order, with no count: a class that
 * gained or lost a component cannot read what the class as it was wrote (docs/UPGRADES.md, "Machine versions"). The
 * error once said only "truncated input" or "trailing bytes", naming neither the class nor the cause.
 */
final class GenericRecordEvolutionTest
{
    /** The class as it is now: it gained {@code note}. */
    record Add(long amount, String note)
    {
    }

    /** What the class as it was (one component) wrote: its name and its one component. */
    private static void writeOldAdd(final BufferWriter out, final long amount)
    {
        out.writeByte(15).writeString(Add.class.getName());
        Codecs.generic().encode(amount, out);
    }

    @Test
    void aRecordThatGainedAComponentIsNamedWithTheLikelyCause()
    {
        final BufferWriter out = new BufferWriter(64);
        writeOldAdd(out, 5);

        assertThatThrownBy(() -> Codecs.generic().fromBytes(out.toBytes().unsafeArray()))
            .isInstanceOf(CodecException.class)
            .hasMessageContaining(Add.class.getName())
            .hasMessageContaining("component 2 of 2 (note)")
            .hasMessageContaining("another number of components");
    }

    @Test
    void aRecordThatGainedAComponentInsideAListIsNamedToo()
    {
        final BufferWriter out = new BufferWriter(64);
        out.writeByte(9).writeVarLong(2);
        writeOldAdd(out, 5);
        writeOldAdd(out, 7);

        // The second element's tag is read as the first one's note: a record, not a String.
        assertThatThrownBy(() -> Codecs.generic().fromBytes(out.toBytes().unsafeArray()))
            .isInstanceOf(CodecException.class)
            .hasMessageContaining(Add.class.getName())
            .hasMessageContaining("another number of components");
    }

    @Test
    void trailingBytesAfterARecordSayARecordClassMayHaveLostAComponent()
    {
        final BufferWriter out = new BufferWriter(64);
        out.writeByte(15).writeString(Add.class.getName());
        Codecs.generic().encode(5L, out);
        Codecs.generic().encode("note", out);
        Codecs.generic().encode(true, out);

        assertThatThrownBy(() -> Codecs.generic().fromBytes(out.toBytes().unsafeArray()))
            .isInstanceOf(CodecException.class)
            .hasMessageContaining("trailing bytes after a " + Add.class.getName())
            .hasMessageContaining("fewer components");
    }

    @Test
    void recordsOfTheSameShapeStillRoundTrip()
    {
        final List<Add> adds = List.of(new Add(5, "a"), new Add(7, null));
        assertThat(Codecs.generic().fromBytes(Codecs.generic().toBytes(adds))).isEqualTo(adds);
    }
}
