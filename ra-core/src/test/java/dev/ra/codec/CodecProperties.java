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
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Round trips of the codecs that put values on disk and on the wire, and robustness of decoding against garbage.
 */
class CodecProperties
{
    /** A record of the kind machines use as commands. */
    record Sample(String key, long number, List<String> tags, DownReason reason)
    {
    }

    @Provide
    Arbitrary<Object> values()
    {
        final Arbitrary<Object> leaves = Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(40).map(s -> (Object)s),
            Arbitraries.longs().map(l -> (Object)l),
            Arbitraries.integers().map(i -> (Object)i),
            Arbitraries.of(true, false).map(b -> (Object)b),
            Arbitraries.doubles().map(d -> (Object)d),
            Arbitraries.just((Object)null),
            Arbitraries.of(DownReason.values()).map(r -> (Object)r),
            Arbitraries.longs().between(1, Long.MAX_VALUE).map(id -> (Object)new ProcessRef("n1", id)),
            Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                Arbitraries.longs(), Arbitraries.strings().alpha().ofMaxLength(5).list().ofMaxSize(4),
                Arbitraries.of(DownReason.values())).as((k, n, t, r) -> (Object)new Sample(k, n, t, r)));
        return Arbitraries.recursive(() -> leaves, inner -> Arbitraries.oneOf(
            inner.list().ofMaxSize(5).map(l -> (Object)l),
            Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(6), inner).ofMaxSize(4).map(m -> (Object)m)),
            3);
    }

    @Property(tries = 2000)
    void genericCodecRoundTrips(@ForAll("values") final Object value)
    {
        final Codec<Object> codec = Codecs.generic();
        final Object decoded = codec.fromBytes(codec.toBytes(value));
        if (value instanceof Double d && d.isNaN())
        {
            assertThat((Double)decoded).isNaN();
            return;
        }
        assertThat(decoded).isEqualTo(value);
    }

    @Provide
    Arbitrary<LogEntry> entries()
    {
        final Arbitrary<EntryPayload> payloads = Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> UserCommand.ofData(Bytes.wrap(b))),
            Arbitraries.integers().between(0, 1000).map(EntryPayload.Noop::new),
            Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).list().ofMinSize(1).ofMaxSize(7)
                .map(names -> new EntryPayload.ClusterChange(names.stream().distinct()
                    .map(n -> new Member(new ServerId(n, "node-" + n), Membership.values()[n.length() % 3],
                        n.length())).toList())),
            Arbitraries.of(new BuiltinCommand.Down(new ProcessRef("n2", 7), DownReason.NOCONNECTION),
                new BuiltinCommand.NodeUp("n3"), new BuiltinCommand.NodeDown("n4"),
                new BuiltinCommand.Timeout("lease")).map(EntryPayload.Builtin::new),
            Arbitraries.just(new EntryPayload.DeleteCluster()));
        return Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE / 2),
            Arbitraries.longs().between(1, Long.MAX_VALUE / 2), Arbitraries.longs(), payloads)
            .as(LogEntry::new);
    }

    @Property(tries = 2000)
    void entryCodecRoundTrips(@ForAll("entries") final LogEntry entry)
    {
        assertThat(EntryCodec.INSTANCE.fromBytes(EntryCodec.INSTANCE.toBytes(entry))).isEqualTo(entry);
    }

    @Property(tries = 5000)
    void decodingGarbageFailsOnlyWithCodecException(@ForAll final byte[] garbage)
    {
        for (final Codec<?> codec : List.of(Codecs.generic(), EntryCodec.INSTANCE, Codecs.string(),
            Codecs.listOf(Codecs.int64()), Codecs.mapOf(Codecs.string(), Codecs.generic())))
        {
            final Throwable thrown = catchThrowable(() -> codec.fromBytes(garbage));
            if (null != thrown)
            {
                assertThat(thrown).isInstanceOf(CodecException.class);
            }
        }
    }

    @Property(tries = 1000)
    void truncatedEncodingsFailCleanly(@ForAll("entries") final LogEntry entry)
    {
        final byte[] bytes = EntryCodec.INSTANCE.toBytes(entry);
        for (int length = 0; length < bytes.length; length += Math.max(1, bytes.length / 10))
        {
            final byte[] cut = java.util.Arrays.copyOf(bytes, length);
            assertThat(catchThrowable(() -> EntryCodec.INSTANCE.fromBytes(cut))).isInstanceOf(CodecException.class);
        }
    }

    @Property
    void typedCodecsRoundTrip(@ForAll final List<Long> numbers, @ForAll final Map<String, Integer> map)
    {
        assertThat(Codecs.listOf(Codecs.int64()).fromBytes(Codecs.listOf(Codecs.int64()).toBytes(numbers)))
            .isEqualTo(numbers);
        final Codec<Map<String, Integer>> mapCodec = Codecs.mapOf(Codecs.string(), Codecs.int32());
        assertThat(mapCodec.fromBytes(mapCodec.toBytes(map))).isEqualTo(map);
    }
}
