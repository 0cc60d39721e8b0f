package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.core.CallError;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.NodeMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A leader's overload refusal is part of protocol version 6: it round-trips there, and a node of an older version
 * (which would close the connection on a value it does not know) is sent what it knows with the same message.
 */
class OverloadedWireTest
{
    private static final ServerId LEADER = new ServerId("t", "n1");
    private static final String WHY = "t@n1 is overloaded";

    @Test
    void aCallReplyCarriesTheOverloadFromVersionSixAndNotPermittedBefore()
    {
        final NodeMessage.CallReply reply = new NodeMessage.CallReply(7, NodeMessage.CallStatus.FAILED, Bytes.EMPTY,
            LEADER, CallError.OVERLOADED, WHY);

        assertThat(roundTrip(reply, ProtocolVersions.OVERLOADED)).isEqualTo(reply);
        assertThat(roundTrip(reply, ProtocolVersions.FAILED_NOTICE)).isEqualTo(new NodeMessage.CallReply(7,
            NodeMessage.CallStatus.FAILED, Bytes.EMPTY, LEADER, CallError.NOT_PERMITTED, WHY));
    }

    @Test
    void aFailedNoticeCarriesTheOverloadFromVersionSixAndRefusedBefore()
    {
        final NodeMessage.FailedNotice notice = new NodeMessage.FailedNotice(new ProcessRef("n4", 9), LEADER,
            List.of(new FailedCommand("c1", FailedCommand.Kind.OVERLOADED, null, WHY, 0)));

        assertThat(roundTrip(notice, ProtocolVersions.OVERLOADED)).isEqualTo(notice);
        assertThat(roundTrip(notice, ProtocolVersions.FAILED_NOTICE)).isEqualTo(new NodeMessage.FailedNotice(
            new ProcessRef("n4", 9), LEADER, List.of(new FailedCommand("c1", FailedCommand.Kind.REFUSED, null, WHY,
                0))));
    }

    private static NodeMessage roundTrip(final NodeMessage message, final int protocol)
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(message, out, protocol);
        return WireCodecProperties.withCorrelationBuilt(WireCodec.INSTANCE.decode(new BufferReader(
            out.toByteArray())));
    }
}
