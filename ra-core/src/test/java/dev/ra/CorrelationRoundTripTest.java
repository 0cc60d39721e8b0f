package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.protocol.EncodedCorrelation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pipelined command's correlation goes to a leader on another node as the generic codec's bytes and is built again
 * on the caller's node when its notice comes back. One the codec encodes but cannot build again (a record whose
 * component is a HashMap: the codec builds an unmodifiable map, which is no HashMap) was taken by
 * {@code pipelineCommand}; the command was applied, and the process was given the correlation's bytes (an
 * EncodedCorrelation, with a warning in the log) instead of its correlation, which it could match to no command of
 * its own. Right: such a correlation is refused at once, naming its type, as one the codec cannot encode is.
 */
class CorrelationRoundTripTest
{
    /** Encodes, but does not decode: its map comes back as an unmodifiable map. */
    record OrderLines(HashMap<String, Long> lines)
    {
    }

    /** Encodes and decodes. */
    record Order(String id, Map<String, Long> lines)
    {
    }

    @Test
    void aCorrelationTheGenericCodecCannotBuildAgainIsRefused()
    {
        final HashMap<String, Long> lines = new HashMap<>(Map.of("apples", 3L));

        assertThatThrownBy(() -> Arguments.requireEncodableCorrelation(new OrderLines(lines)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(OrderLines.class.getName());
    }

    /**
     * A correlation given as bytes (an EncodedCorrelation, which a process is given for one that does not build on
     * its node) is written into the frame as those bytes: ones that are not exactly one value of the generic codec
     * (here an int and a stray byte) shifted the frame's later fields, so the leader's node read the frame as
     * malformed and closed the connection with every call and Raft message on it. They are refused at once.
     */
    @Test
    void anEncodedCorrelationThatIsNotExactlyOneValueIsRefused()
    {
        final byte[] intAndAStrayByte = {3, 0, 0, 0, 1, 5};

        assertThatThrownBy(() -> Arguments.requireEncodableCorrelation(
            new EncodedCorrelation(Bytes.wrap(intAndAStrayByte))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(EncodedCorrelation.class.getName());
        final EncodedCorrelation oneValue = new EncodedCorrelation(Bytes.wrap(Codecs.generic().toBytes(7L)));
        assertThat(Arguments.requireEncodableCorrelation(oneValue)).isSameAs(oneValue);
    }

    @Test
    void correlationsThatRoundTripAreTaken()
    {
        final Order order = new Order("o-1", Map.of("apples", 3L));

        assertThat(Arguments.requireEncodableCorrelation(order)).isSameAs(order);
        assertThat(Arguments.requireEncodableCorrelation(List.of("order", 8L))).isEqualTo(List.of("order", 8L));
        assertThat(Arguments.requireEncodableCorrelation(null)).isNull();
    }
}
