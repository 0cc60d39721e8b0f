package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A role crosses nodes and reaches storage only through the generic codec (a machine's state or reply may hold one),
 * which writes an enum constant by its name: removing or reordering a constant of {@link RaftRole} cannot change
 * what another constant decodes as.
 */
class RaftRoleTest
{
    @Test
    void everyRoleIsEncodedByItsNameAndDecodesToItself()
    {
        final Codec<Object> codec = Codecs.generic();
        for (final RaftRole role : RaftRole.values())
        {
            final byte[] encoded = codec.toBytes(role);

            assertThat(new String(encoded, StandardCharsets.ISO_8859_1)).as(role.name()).contains(role.name());
            assertThat(codec.fromBytes(encoded)).isSameAs(role);
        }
    }
}
