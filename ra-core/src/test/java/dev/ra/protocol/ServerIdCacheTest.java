package dev.ra.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decoding server ids through the cache of earlier decodings gives exactly what decoding afresh gives, leaves the
 * reader where decoding afresh leaves it, and never lets bad input through.
 */
class ServerIdCacheTest
{
    private static byte[] encode(final List<ServerId> ids)
    {
        final BufferWriter out = new BufferWriter(64);
        for (int i = 0; i < ids.size(); i++)
        {
            EntryCodec.writeServerId(ids.get(i), out);
            out.writeVarLong(i);
        }
        return out.toByteArray();
    }

    @Test
    void decodesWhatWasWrittenWhetherCachedOrNot()
    {
        Property.forAll(300, Gen.ints(0, 3000).list(1, 60), ServerIdCacheTest::decodesWhatWasWritten);
    }

    private static void decodesWhatWasWritten(final List<Integer> picks)
    {
        // Up to 3,000 distinct ids through 1,024 slots: hits, misses and slots taken over by other ids.
        final List<ServerId> ids = new ArrayList<>();
        for (final int pick : picks)
        {
            ids.add(new ServerId("s" + pick % 97, "node-" + pick));
        }
        for (int round = 0; round < 2; round++)
        {
            final BufferReader in = new BufferReader(encode(ids));
            for (int i = 0; i < ids.size(); i++)
            {
                assertThat(EntryCodec.readServerId(in)).isEqualTo(ids.get(i));
                assertThat(in.readVarLong()).as("what follows the id").isEqualTo(i);
            }
            assertThat(in.remaining()).isZero();
        }
    }

    @Test
    void longAndNonAsciiIdsRoundTrip()
    {
        Property.forAll(200, Gen.ints(1, 255), ServerIdCacheTest::longAndNonAsciiIdRoundTrips);
    }

    private static void longAndNonAsciiIdRoundTrips(final int length)
    {
        final ServerId id = new ServerId("é".repeat(length), "n" + length);
        final List<ServerId> ids = List.of(id, id);
        final BufferReader in = new BufferReader(encode(ids));
        assertThat(EntryCodec.readServerId(in)).isEqualTo(id);
        in.readVarLong();
        assertThat(EntryCodec.readServerId(in)).isEqualTo(id);
    }

    @Test
    void aRepeatedIdIsTheSameInstance()
    {
        final ServerId id = new ServerId("kv", "repeated-node");
        final BufferReader in = new BufferReader(encode(List.of(id, id)));
        final ServerId first = EntryCodec.readServerId(in);
        in.readVarLong();
        assertThat(EntryCodec.readServerId(in)).isSameAs(first);
    }

    @Test
    void badInputFailsEveryTimeAndIsNeverCached()
    {
        final BufferWriter bad = new BufferWriter(16);
        bad.writeString("has space").writeString("n1");
        final byte[] invalid = bad.toByteArray();
        for (int i = 0; i < 2; i++)
        {
            assertThatThrownBy(() -> EntryCodec.readServerId(new BufferReader(invalid)))
                .isInstanceOf(CodecException.class).hasMessageContaining("invalid server id");
        }
        final byte[] good = encode(List.of(new ServerId("kv", "truncated-node")));
        EntryCodec.readServerId(new BufferReader(good));
        for (int cut = 0; cut < good.length - 1; cut++)
        {
            final BufferReader truncated = new BufferReader(good, 0, cut);
            assertThatThrownBy(() -> EntryCodec.readServerId(truncated)).as("cut at %d", cut)
                .isInstanceOf(CodecException.class);
        }
    }

    @Test
    void spanOfLengthPrefixedFields()
    {
        final BufferWriter out = new BufferWriter(16);
        out.writeString("ab").writeString("");
        final byte[] bytes = out.toByteArray();
        assertThat(new BufferReader(bytes).lengthPrefixedSpan(2)).isEqualTo(4);
        assertThat(new BufferReader(bytes, 0, 3).lengthPrefixedSpan(2)).as("second prefix missing").isEqualTo(-1);
        assertThat(new BufferReader(bytes, 0, 2).lengthPrefixedSpan(1)).as("body cut").isEqualTo(-1);
        final byte[] endless = {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80};
        assertThat(new BufferReader(endless).lengthPrefixedSpan(1)).as("runaway length").isEqualTo(-1);
        final BufferReader in = new BufferReader(bytes);
        assertThat(in.skipIfNext(new byte[] {2, 'a', 'x'})).isFalse();
        assertThat(in.position()).isZero();
        assertThat(in.skipIfNext(new byte[] {2, 'a', 'b'})).isTrue();
        assertThat(in.remaining()).isEqualTo(1);
    }
}
