package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.PeerFeature;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeMessage.FailedNotice} is part of protocol version 5: it round-trips there, is never written for an older
 * or unknown version (a node of version 4 would close the connection on a message type it does not know), the
 * transport reports it supported only for a node agreed at version 5 or later, and only the leader's node may send it.
 */
class FailedNoticeWireTest
{
    private static final ServerId LEADER = new ServerId("t", "n1");
    private static final NodeMessage.FailedNotice NOTICE = new NodeMessage.FailedNotice(new ProcessRef("n4", 9),
        LEADER, List.of(new FailedCommand("c1", FailedCommand.Kind.APPLY_THREW, "x.Boom", null, 12),
            new FailedCommand(List.of(1L, "c2"), FailedCommand.Kind.REFUSED, null, "not a java.lang.String", 0)));

    @Test
    void itRoundTripsAtVersionFive()
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(NOTICE, out, ProtocolVersions.FAILED_NOTICE);

        assertThat(WireCodecProperties.withCorrelationBuilt(WireCodecProperties.decode(Arrays.copyOf(out.array(),
            out.position())))).isEqualTo(NOTICE);
    }

    @Test
    void itIsNeverWrittenForAnOlderOrUnknownVersion()
    {
        for (final int version : new int[] {0, 1, 2, 3, 4})
        {
            assertThatThrownBy(() -> WireCodec.INSTANCE.encode(NOTICE, new BufferWriter(64), version))
                .as("version " + version).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("protocol version 5");
        }
    }

    @Test
    void aNodeSupportsItFromVersionFive()
    {
        assertThat(ProtocolVersions.supports(0, PeerFeature.FAILED_COMMAND_NOTICE)).as("not connected yet").isFalse();
        assertThat(ProtocolVersions.supports(4, PeerFeature.FAILED_COMMAND_NOTICE)).isFalse();
        assertThat(ProtocolVersions.supports(5, PeerFeature.FAILED_COMMAND_NOTICE)).isTrue();
    }

    /** The machine's class name and message may quote anything: half a surrogate pair must not fail the notice. */
    @Test
    void aLoneSurrogateInTheMachinesTextIsWrittenAsAQuestionMark()
    {
        final NodeMessage.FailedNotice broken = new NodeMessage.FailedNotice(new ProcessRef("n4", 9), LEADER,
            List.of(new FailedCommand("c", FailedCommand.Kind.APPLY_THREW, "x.B\uD800", "bad \uDC00 text", 3)));

        final NodeMessage decoded = WireCodecProperties.withCorrelationBuilt(WireCodecProperties.decode(
            WireCodecProperties.encode(broken)));

        assertThat(((NodeMessage.FailedNotice)decoded).failures()).containsExactly(
            new FailedCommand("c", FailedCommand.Kind.APPLY_THREW, "x.B?", "bad ? text", 3));
    }

    @Test
    void aNoticeWithoutFailuresOrWithAnInvalidFailureIsRefused()
    {
        final byte[] encoded = WireCodecProperties.encode(new NodeMessage.FailedNotice(new ProcessRef("n4", 9), LEADER,
            List.of(new FailedCommand(null, FailedCommand.Kind.APPLY_THREW, "x", null, 1))));
        final byte[] zeroIndex = encoded.clone();
        // The index is the byte before the message's presence byte, the last one.
        zeroIndex[zeroIndex.length - 2] = 0;

        assertThatThrownBy(() -> WireCodecProperties.decode(zeroIndex)).isInstanceOf(CodecException.class)
            .hasMessageContaining("index");
    }

    @Test
    void onlyTheLeadersNodeMaySendIt()
    {
        assertThat(SenderCheck.mismatch(NOTICE, "n1", true)).isNull();
        assertThat(SenderCheck.mismatch(NOTICE, "n2", true)).contains("FailedNotice").contains("on behalf of node n1");
    }
}
