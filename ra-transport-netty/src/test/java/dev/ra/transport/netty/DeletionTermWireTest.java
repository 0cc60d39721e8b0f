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
 * Protocol version 10: a node's "deleted with its cluster" and a removed member's retirement end with a term, so that
 * a member of a cluster created again under the same ids ignores a late one about the cluster before. A node of
 * version 9 or older (which rejects trailing bytes) is sent them without the term, as its release sends them, and
 * such a notice reads back with no term (0): taken as before.
 */
class DeletionTermWireTest
{
    private static final ServerId MEMBER = new ServerId("t", "n3");
    private static final ServerId PEER = new ServerId("t", "n1");

    @Test
    void aServerDeletedWithItsClusterCarriesItsTermFromVersionTenAndNoneBefore()
    {
        final NodeMessage deleted = new NodeMessage.ServerDown(MEMBER, PEER, true, 7);

        assertThat(roundTrip(deleted, ProtocolVersions.DELETION_TERM)).isEqualTo(deleted);
        assertThat(roundTrip(deleted, ProtocolVersions.RUN_ID))
            .isEqualTo(new NodeMessage.ServerDown(MEMBER, PEER, true, 0));
        assertThat(roundTrip(deleted, ProtocolVersions.SWITCH_FENCE))
            .isEqualTo(new NodeMessage.ServerDown(MEMBER, PEER));
        final NodeMessage noTerm = new NodeMessage.ServerDown(MEMBER, PEER, true);
        assertThat(encoded(noTerm, ProtocolVersions.DELETION_TERM)).as("a notice without a term is sent as before")
            .isEqualTo(encoded(noTerm, ProtocolVersions.RUN_ID));
    }

    @Test
    void aRetirementCarriesTheTermOfTheConfigurationFromVersionTenAndNoneBefore()
    {
        final NodeMessage retire = new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete(42, 3));

        assertThat(roundTrip(retire, ProtocolVersions.DELETION_TERM)).isEqualTo(retire);
        assertThat(roundTrip(retire, ProtocolVersions.RUN_ID))
            .isEqualTo(new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete(42)));
        assertThat(roundTrip(retire, ProtocolVersions.SWITCH_FENCE))
            .isEqualTo(new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete()));
    }

    @Test
    void whatANodeOfVersionNineSendsReadsBackWithoutATerm()
    {
        // What a node of version 9 wrote: no trailing term.
        final NodeMessage deleted = new NodeMessage.ServerDown(MEMBER, PEER, true);
        final NodeMessage retire = new NodeMessage.ServerCall(6, MEMBER, new ServerRequest.ForceDelete(9));

        assertThat(roundTrip(deleted, ProtocolVersions.RUN_ID)).isEqualTo(deleted);
        assertThat(roundTrip(retire, ProtocolVersions.RUN_ID)).isEqualTo(retire);
        assertThat(((NodeMessage.ServerDown)roundTrip(deleted, ProtocolVersions.RUN_ID)).deletedInTerm()).isZero();
    }

    @Test
    void aNoticeNamingTermZeroIsRefusedAsGarbage()
    {
        final byte[] deleted = encoded(new NodeMessage.ServerDown(MEMBER, PEER, true, 1), ProtocolVersions.NEWEST);
        deleted[deleted.length - 1] = 0;
        final byte[] retire = encoded(new NodeMessage.ServerCall(5, MEMBER, new ServerRequest.ForceDelete(4, 1)),
            ProtocolVersions.NEWEST);
        retire[retire.length - 1] = 0;

        assertThatThrownBy(() -> WireCodec.INSTANCE.decode(new BufferReader(deleted)))
            .isInstanceOf(CodecException.class).hasMessageContaining("deleted with its cluster names term 0");
        assertThatThrownBy(() -> WireCodec.INSTANCE.decode(new BufferReader(retire)))
            .isInstanceOf(CodecException.class).hasMessageContaining("retirement names term 0");
    }

    private static byte[] encoded(final NodeMessage message, final int protocol)
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(message, out, protocol);
        return out.toByteArray();
    }

    private static NodeMessage roundTrip(final NodeMessage message, final int protocol)
    {
        return WireCodec.INSTANCE.decode(new BufferReader(encoded(message, protocol)));
    }
}
