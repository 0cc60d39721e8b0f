package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void correlationsThatRoundTripAreTaken()
    {
        final Order order = new Order("o-1", Map.of("apples", 3L));

        assertThat(Arguments.requireEncodableCorrelation(order)).isSameAs(order);
        assertThat(Arguments.requireEncodableCorrelation(List.of("order", 8L))).isEqualTo(List.of("order", 8L));
        assertThat(Arguments.requireEncodableCorrelation(null)).isNull();
    }
}
