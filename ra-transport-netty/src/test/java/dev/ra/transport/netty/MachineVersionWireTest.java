package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.CodecException;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The machine version a follower reports in its AppendEntries replies (the leader switches the cluster's machine
 * version only once every voter supports it) is an optional last field: absent for an unversioned machine, so such a
 * reply is byte for byte what the previous release sent and reads, and a previous release's reply reads as version 0.
 * (The random truncation property of {@link WireCodecProperties} holds for replies without it; a frame's length
 * prefix, not the field, guards against a cut there.)
 */
class MachineVersionWireTest
{
    private static final ServerId LEADER = new ServerId("c", "n1");
    private static final ServerId FOLLOWER = new ServerId("c", "n2");

    @Test
    void aReplyCarriesTheFollowersMachineVersion()
    {
        final NodeMessage reply = message(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9, 3));

        assertThat(WireCodecProperties.decode(WireCodecProperties.encode(reply))).isEqualTo(reply);
    }

    @Test
    void anUnversionedReplyIsThePreviousReleasesFrameAndReadsAsVersionZero()
    {
        final byte[] unversioned = WireCodecProperties.encode(
            message(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9, 0)));
        final byte[] versioned = WireCodecProperties.encode(
            message(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9, 3)));

        assertThat(Arrays.copyOf(versioned, unversioned.length)).isEqualTo(unversioned);
        assertThat(versioned).hasSize(unversioned.length + 1);
        assertThat(((NodeMessage.RaftMessage)WireCodecProperties.decode(unversioned)).rpc())
            .isEqualTo(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9));
    }

    @Test
    void toANodeOfProtocolOneTheReplyGoesWithoutTheVersion()
    {
        final NodeMessage versioned = message(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9, 3));
        final dev.ra.codec.BufferWriter toOld = new dev.ra.codec.BufferWriter(64);
        WireCodec.INSTANCE.encode(versioned, toOld, ProtocolVersions.WITHOUT_RANGE);
        final dev.ra.codec.BufferWriter unknown = new dev.ra.codec.BufferWriter(64);
        WireCodec.INSTANCE.encode(versioned, unknown, 0);

        final byte[] unversioned = WireCodecProperties.encode(
            message(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9, 0)));
        assertThat(Arrays.copyOf(toOld.array(), toOld.position())).isEqualTo(unversioned);
        assertThat(Arrays.copyOf(unknown.array(), unknown.position())).isEqualTo(unversioned);
    }

    @Test
    void bytesAfterTheVersionAreRejected()
    {
        final byte[] versioned = WireCodecProperties.encode(
            message(new RaftRpc.AppendEntriesReply(7, true, 11, 10, 7, 9, 3)));
        final byte[] longer = Arrays.copyOf(versioned, versioned.length + 1);

        assertThatThrownBy(() -> WireCodecProperties.decode(longer)).isInstanceOf(CodecException.class)
            .hasMessageContaining("trailing");
    }

    private static NodeMessage message(final RaftRpc rpc)
    {
        return new NodeMessage.RaftMessage(FOLLOWER, LEADER, rpc);
    }
}
