package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.UserCommand;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Round trips of the codecs that put values on disk and on the wire, and robustness of decoding against garbage.
 */
class CodecProperties
{
    /** A record of the kind machines use as commands. */
    record Sample(String key, long number, List<String> tags, DownReason reason)
    {
    }

    /** Two values for one check. */
    record Typed(List<Long> numbers, Map<String, Integer> map)
    {
    }

    private static Gen<Object> values()
    {
        final Gen<String> keys = Gen.strings(Gen.alpha(), 1, 8);
        final Gen<List<String>> tags = Gen.strings(Gen.alpha(), 0, 5).list(0, 4);
        final Gen<DownReason> reasons = Gen.of(DownReason.class);
        final Gen<Object> leaves = Gen.<Object>oneOf(
            Gen.strings(Gen.unicode(), 0, 40),
            Gen.longs(),
            Gen.ints(),
            Gen.booleans(),
            Gen.doubles(),
            Gen.constant(null),
            reasons,
            Gen.longs(1, Long.MAX_VALUE).map(id -> new ProcessRef("n1", id)),
            c -> new Sample(keys.next(c), c.between(Long.MIN_VALUE, Long.MAX_VALUE), tags.next(c), reasons.next(c)));
        final Gen<String> mapKeys = Gen.strings(Gen.alpha(), 0, 6);
        return Gen.recursive(leaves, inner -> Gen.<Object>oneOf(inner.list(0, 5), Gen.maps(mapKeys, inner, 0, 4)), 3);
    }

    /**
     * A value kept as its bytes (a correlation a node only passes on) is exactly the generic codec's bytes of it, read
     * to its end and no further, and written back the same.
     */
    @Test
    void genericEncodedReadsExactlyOneValueAsItsBytes()
    {
        Property.forAll(2000, values(), value ->
        {
            final byte[] bytes = Codecs.generic().toBytes(value);
            final byte[] followed = new BufferWriter(bytes.length + 8).writeRaw(bytes, 0, bytes.length)
                .writeLong(42).toByteArray();
            final BufferReader in = new BufferReader(followed);

            final Bytes encoded = Codecs.genericEncoded().decode(in);

            assertThat(encoded.toByteArray()).isEqualTo(bytes);
            assertThat(in.readLong()).isEqualTo(42);
            assertThat(Codecs.genericEncoded().toBytes(encoded)).isEqualTo(bytes);
            for (int length = 0; length < bytes.length; length++)
            {
                final byte[] cut = java.util.Arrays.copyOf(bytes, length);
                assertThat(catchThrowable(() -> Codecs.genericEncoded().fromBytes(cut))).as("cut to %d", length)
                    .isInstanceOf(CodecException.class);
            }
        });
    }

    @Test
    void genericCodecRoundTrips()
    {
        Property.forAll(2000, values(), value ->
        {
            final Codec<Object> codec = Codecs.generic();
            final Object decoded = codec.fromBytes(codec.toBytes(value));
            if (value instanceof Double d && d.isNaN())
            {
                assertThat((Double)decoded).isNaN();
                return;
            }
            assertThat(decoded).isEqualTo(value);
        });
    }

    private static Gen<LogEntry> entries()
    {
        final Gen<EntryPayload> payloads = Gen.<EntryPayload>oneOf(
            Gen.byteArrays(0, 300).map(b -> UserCommand.ofData(Bytes.wrap(b))),
            Gen.ints(0, 1000).map(EntryPayload.Noop::new),
            Gen.strings(Gen.alpha(), 1, 10).list(1, 7)
                .map(names -> new EntryPayload.ClusterChange(names.stream().distinct()
                    .map(n -> new Member(new ServerId(n, "node-" + n), Membership.values()[n.length() % 3],
                        n.length())).toList())),
            Gen.of(new BuiltinCommand.Down(new ProcessRef("n2", 7), DownReason.NOCONNECTION),
                new BuiltinCommand.NodeUp("n3"), new BuiltinCommand.NodeDown("n4"),
                new BuiltinCommand.Timeout("lease")).map(EntryPayload.Builtin::new),
            Gen.constant(new EntryPayload.DeleteCluster()));
        final Gen<Long> positions = Gen.longs(1, Long.MAX_VALUE / 2);
        final Gen<Long> any = Gen.longs();
        return c -> new LogEntry(positions.next(c), positions.next(c), any.next(c), payloads.next(c));
    }

    @Test
    void entryCodecRoundTrips()
    {
        Property.forAll(2000, entries(),
            entry -> assertThat(EntryCodec.INSTANCE.fromBytes(EntryCodec.INSTANCE.toBytes(entry))).isEqualTo(entry));
    }

    @Test
    void decodingGarbageFailsOnlyWithCodecException()
    {
        Property.forAll(5000, Gen.byteArrays(0, 255), garbage ->
        {
            for (final Codec<?> codec : List.of(Codecs.generic(), EntryCodec.INSTANCE, Codecs.string(),
                Codecs.listOf(Codecs.int64()), Codecs.mapOf(Codecs.string(), Codecs.generic()),
                Codecs.genericEncoded()))
            {
                final Throwable thrown = catchThrowable(() -> codec.fromBytes(garbage));
                if (null != thrown)
                {
                    assertThat(thrown).isInstanceOf(CodecException.class);
                }
            }
        });
    }

    @Test
    void truncatedEncodingsFailCleanly()
    {
        Property.forAll(1000, entries(), entry ->
        {
            final byte[] bytes = EntryCodec.INSTANCE.toBytes(entry);
            for (int length = 0; length < bytes.length; length += Math.max(1, bytes.length / 10))
            {
                final byte[] cut = java.util.Arrays.copyOf(bytes, length);
                assertThat(catchThrowable(() -> EntryCodec.INSTANCE.fromBytes(cut)))
                    .isInstanceOf(CodecException.class);
            }
        });
    }

    @Test
    void typedCodecsRoundTrip()
    {
        final Gen<List<Long>> numbers = Gen.longs().list(0, 255);
        final Gen<Map<String, Integer>> maps = Gen.maps(Gen.strings(Gen.unicode(), 0, 255), Gen.ints(), 0, 255);
        Property.forAll(1000, c -> new Typed(numbers.next(c), maps.next(c)), typed ->
        {
            assertThat(Codecs.listOf(Codecs.int64()).fromBytes(Codecs.listOf(Codecs.int64()).toBytes(typed.numbers())))
                .isEqualTo(typed.numbers());
            final Codec<Map<String, Integer>> mapCodec = Codecs.mapOf(Codecs.string(), Codecs.int32());
            assertThat(mapCodec.fromBytes(mapCodec.toBytes(typed.map()))).isEqualTo(typed.map());
        });
    }
}
