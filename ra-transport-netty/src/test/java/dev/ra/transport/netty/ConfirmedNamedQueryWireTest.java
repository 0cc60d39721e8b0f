package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.PeerFeature;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerRequest.ConfirmedNamedQuery} is part of protocol version 3: it round-trips there, is never written
 * for an older or unknown version (a node of version 2 would close the connection on a request kind it does not know),
 * and the transport reports it supported only for a node agreed at version 3 or later.
 */
class ConfirmedNamedQueryWireTest
{
    private static final NodeMessage CALL = new NodeMessage.ServerCall(42, new ServerId("kv", "n1"),
        new ServerRequest.ConfirmedNamedQuery("get", Bytes.wrap(new byte[] {1, 2, 3})));

    @Test
    void itRoundTripsAtVersionThree()
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(CALL, out, ProtocolVersions.CONFIRMED_NAMED_QUERY);

        assertThat(WireCodecProperties.decode(Arrays.copyOf(out.array(), out.position()))).isEqualTo(CALL);
    }

    @Test
    void itIsNeverWrittenForAnOlderOrUnknownVersion()
    {
        for (final int version : new int[] {0, 1, 2})
        {
            assertThatThrownBy(() -> WireCodec.INSTANCE.encode(CALL, new BufferWriter(64), version))
                .as("version " + version).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("protocol version 3");
        }
    }

    @Test
    void aNodeSupportsItFromVersionThree()
    {
        assertThat(ProtocolVersions.supports(0, PeerFeature.CONFIRMED_NAMED_QUERY)).as("not connected yet").isFalse();
        assertThat(ProtocolVersions.supports(2, PeerFeature.CONFIRMED_NAMED_QUERY)).isFalse();
        assertThat(ProtocolVersions.supports(3, PeerFeature.CONFIRMED_NAMED_QUERY)).isTrue();
        assertThat(ProtocolVersions.agree(1, ProtocolVersions.NEWEST, 2)).as("a node limited to version 2")
            .isEqualTo(2);
    }
}
