package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.UserCommand;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A pipelined command's correlation is the caller's value, in the generic codec, which the leader's node only sends
 * back. It decoded it, so the bytes of a CommandCast from any node could have the leader's node initialise any enum
 * and construct any record class on its class path; and the caller's node decoded the correlations of a notice
 * before it knew whether the process it was for existed. Right: the transport carries a correlation as its bytes,
 * builds nothing they name, and writes them again as they were; the runtime builds them for a process of its node.
 */
class CorrelationClassesTest
{
    private static final int RECORD = 15;
    private static final int ENUM = 14;
    private static final int STRING = 6;

    /** Initialisations and constructions of the classes below. */
    static final AtomicInteger TRIPPED = new AtomicInteger();

    /** A record on the leader's class path that nothing there uses. */
    record Tripwire(Object value)
    {
        static final int INITIALISED = TRIPPED.incrementAndGet();

        Tripwire
        {
            TRIPPED.incrementAndGet();
        }
    }

    /** An enum on the leader's class path that nothing there uses. */
    enum TripwireEnum
    {
        ONLY;

        static final int INITIALISED = TRIPPED.incrementAndGet();
    }

    private final ServerId server = new ServerId("c", "n1");
    private final ProcessRef caller = new ProcessRef("n2", 7);

    @Test
    void aCommandCastNamingRecordAndEnumClassesBuildsNoneOfThemAndIsSentBackByteForByte()
    {
        final byte[] correlation = new BufferWriter(128).writeByte(RECORD).writeString(Tripwire.class.getName())
            .writeByte(RECORD).writeString(Tripwire.class.getName())
            .writeByte(ENUM).writeString(TripwireEnum.class.getName()).writeString("ONLY").toByteArray();
        final byte[] frame = castFrame(correlation);

        final NodeMessage.CommandCast cast =
            (NodeMessage.CommandCast)WireCodec.INSTANCE.decode(new BufferReader(frame));

        assertThat(TRIPPED).as("initialisations and constructions of classes the bytes named").hasValue(0);
        assertThat(encode(cast)).as("forwarded as it came").isEqualTo(frame);
        final NodeMessage notice = new NodeMessage.AppliedNotice(caller, server, List.of(cast.correlation()),
            List.of(Bytes.wrap(new byte[]{1})));
        final NodeMessage failed = new NodeMessage.FailedNotice(caller, server, List.of(new FailedCommand(
            cast.correlation(), FailedCommand.Kind.REFUSED, null, "no", 0)));
        final NodeMessage rejected = new NodeMessage.RejectedNotice(caller, server, null, cast.correlation());
        for (final NodeMessage back : List.of(notice, failed, rejected))
        {
            final byte[] bytes = encode(back);
            // On the caller's node too, a notice's correlations are built only for the process they are for.
            WireCodec.INSTANCE.decode(new BufferReader(bytes));
            assertThat(TRIPPED).as("initialisations and constructions of classes a notice named").hasValue(0);
            assertThat(Bytes.wrap(bytes).toString()).as(back.getClass().getSimpleName() + " carries the bytes")
                .contains(Bytes.wrap(correlation).toString().substring(2, 40));
        }
    }

    @Test
    void validCorrelationsGoBackAsTheSameBytesAsBefore()
    {
        for (final Object value : List.of("order 7", 7L, List.of("a", 1L), new ServerId("x", "n3"),
            java.util.Map.of("k", List.of(true))))
        {
            final byte[] frame = castFrame(Codecs.generic().toBytes(value));
            final NodeMessage.CommandCast cast =
                (NodeMessage.CommandCast)WireCodec.INSTANCE.decode(new BufferReader(frame));
            assertThat(encode(cast)).isEqualTo(frame);
            final NodeMessage.AppliedNotice back = new NodeMessage.AppliedNotice(caller, server,
                List.of(cast.correlation()), List.of(Bytes.EMPTY));
            assertThat(encode(back)).isEqualTo(encode(new NodeMessage.AppliedNotice(caller, server, List.of(value),
                List.of(Bytes.EMPTY))));
        }
        final byte[] none = castFrame(Codecs.generic().toBytes(null));
        assertThat(((NodeMessage.CommandCast)WireCodec.INSTANCE.decode(new BufferReader(none))).correlation())
            .isNull();
        final byte[] text = new BufferWriter(16).writeByte(STRING).writeString("x").toByteArray();
        assertThat(encode(WireCodec.INSTANCE.decode(new BufferReader(castFrame(text))))).isEqualTo(castFrame(text));
    }

    private byte[] castFrame(final byte[] correlation)
    {
        final byte[] withMarker = encode(new NodeMessage.CommandCast(server, UserCommand.ofData(Bytes.wrap(
            new byte[]{9})), caller, "MARK", 0));
        final byte[] marker = Codecs.generic().toBytes("MARK");
        // The frame of a cast with the given correlation bytes in place of the marker's.
        final int at = indexOf(withMarker, marker);
        final byte[] frame = new byte[withMarker.length - marker.length + correlation.length];
        System.arraycopy(withMarker, 0, frame, 0, at);
        System.arraycopy(correlation, 0, frame, at, correlation.length);
        System.arraycopy(withMarker, at + marker.length, frame, at + correlation.length,
            withMarker.length - at - marker.length);
        return frame;
    }

    private static int indexOf(final byte[] in, final byte[] part)
    {
        for (int i = 0; i + part.length <= in.length; i++)
        {
            if (java.util.Arrays.equals(in, i, i + part.length, part, 0, part.length))
            {
                return i;
            }
        }
        throw new AssertionError("marker not found");
    }

    private static byte[] encode(final NodeMessage message)
    {
        final BufferWriter out = new BufferWriter(256);
        WireCodec.INSTANCE.encode(message, out);
        return out.toByteArray();
    }
}
