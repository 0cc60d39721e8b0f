package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.codec.Bytes;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The values of the runtime's own replies between nodes (a machine's failure, members, indexes, named query results)
 * are plain values, yet they were decoded with the unrestricted generic codec: a reply from another node naming any
 * record class on the class path had it initialised and constructed, and then failed with a ClassCastException.
 * Right: bytes naming any enum or record fail as undecodable, with nothing initialised.
 */
class ForgedCallReplyValueTest
{
    static final AtomicInteger TRIPPED = new AtomicInteger();

    /** A record on the class path that no reply holds, whose initialisation and construction are seen. */
    record Tripwire(Object value)
    {
        static final int INITIALISED = TRIPPED.incrementAndGet();

        Tripwire
        {
            TRIPPED.incrementAndGet();
        }
    }

    @Test
    void aFailureReplyNamingARecordFailsAsUndecodableWithoutInitialisingIt()
    {
        final byte[] forged = new BufferWriter(64).writeByte(15).writeString(Tripwire.class.getName()).writeByte(0)
            .toByteArray();

        assertThatThrownBy(() -> RemoteOrigin.decodeFailure(Bytes.wrap(forged))).isInstanceOf(CodecException.class)
            .hasMessageContaining(Tripwire.class.getName());
        assertThatThrownBy(() -> RemoteOrigin.PLAIN_VALUES.fromBytes(forged)).isInstanceOf(CodecException.class);
        assertThat(TRIPPED).as("initialisations and constructions of a class the bytes named").hasValue(0);
    }
}
