package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.protocol.EncodedCorrelation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A command cast from another node to a leader here whose notice is for a process of this node gives that process
 * the correlation built from the bytes it came as; one that does not decode here stays as its bytes.
 */
class CorrelationsForProcessTest
{
    private final ProcessRef to = new ProcessRef("n1", 5);
    private final ServerId leader = new ServerId("c", "n1");

    @Test
    void aProcessHereGetsTheCorrelationsBuilt()
    {
        final EncodedCorrelation encoded = new EncodedCorrelation(Bytes.wrap(Codecs.generic().toBytes(List.of("a"))));
        final EncodedCorrelation broken = new EncodedCorrelation(Bytes.wrap(new byte[]{(byte)200}));

        final RaEvent.Applied applied = new RaEvent.Applied(leader, List.of(new RaEvent.Correlated(encoded, 1L),
            new RaEvent.Correlated("plain", 2L), new RaEvent.Correlated(broken, 3L)));
        final RaEvent.Applied built = new RaEvent.Applied(leader, List.of(new RaEvent.Correlated(List.of("a"), 1L),
            new RaEvent.Correlated("plain", 2L), new RaEvent.Correlated(broken, 3L)));
        assertThat(CorrelationsForProcess.built(to, applied)).isEqualTo(built);
        assertThat(CorrelationsForProcess.built(to, new RaEvent.Rejected(leader, null, encoded)))
            .isEqualTo(new RaEvent.Rejected(leader, null, List.of("a")));
        assertThat(CorrelationsForProcess.built(to, "a message")).isEqualTo("a message");
    }
}
