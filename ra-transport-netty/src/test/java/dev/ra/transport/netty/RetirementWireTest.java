package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import org.junit.jupiter.api.Test;

/**
 * Protocol version 8: the retirement of a removed member names the configuration that removed it, so that a member
 * added back since refuses it, and a node says when a server that does not run there applied its cluster's deletion,
 * so that a member that missed it ends too. A node of an older version (which would close the connection on a kind it
 * does not know) gets the forced delete and the plain "down" its release knows.
 */
class RetirementWireTest
{
    private static final ServerId MEMBER = new ServerId("t", "n3");

    @Test
    void aRetirementCarriesTheRemovalIndexFromVersionEightAndIsAPlainDeleteBefore()
    {
        final NodeMessage retire = new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete(42));

        assertThat(roundTrip(retire, ProtocolVersions.RETIREMENT_INDEX)).isEqualTo(retire);
        assertThat(roundTrip(retire, ProtocolVersions.SWITCH_FENCE))
            .isEqualTo(new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete()));
        final NodeMessage delete = new NodeMessage.ServerCall(6, MEMBER, new ServerRequest.ForceDelete());
        assertThat(roundTrip(delete, ProtocolVersions.RETIREMENT_INDEX)).isEqualTo(delete);
    }

    @Test
    void aServerDeletedWithItsClusterIsSaidFromVersionEightAndIsPlainlyDownBefore()
    {
        final NodeMessage deleted = new NodeMessage.ServerDown(MEMBER, new ServerId("t", "n1"), true);

        assertThat(roundTrip(deleted, ProtocolVersions.RETIREMENT_INDEX)).isEqualTo(deleted);
        assertThat(roundTrip(deleted, ProtocolVersions.SWITCH_FENCE))
            .isEqualTo(new NodeMessage.ServerDown(MEMBER, new ServerId("t", "n1")));
    }

    @Test
    void aRetirementNamingNoIndexIsRefusedAsGarbage()
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete(1)), out,
            ProtocolVersions.RETIREMENT_INDEX);
        final byte[] bytes = out.toByteArray();
        bytes[bytes.length - 1] = 0;

        assertThatThrownBy(() -> WireCodec.INSTANCE.decode(new BufferReader(bytes)))
            .isInstanceOf(CodecException.class).hasMessageContaining("retirement names configuration index 0");
    }

    private static NodeMessage roundTrip(final NodeMessage message, final int protocol)
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(message, out, protocol);
        return WireCodec.INSTANCE.decode(new BufferReader(out.toByteArray()));
    }
}
