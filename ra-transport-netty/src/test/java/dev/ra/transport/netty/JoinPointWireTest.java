package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.NodeMessage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request to start a server carries the point a member added to a running cluster joins at from protocol version
 * 4 on, as an optional tail that older nodes are never sent.
 */
class JoinPointWireTest
{
    private static final ServerId NEWCOMER = new ServerId("c", "n4");
    private static final List<ServerId> MEMBERS = List.of(new ServerId("c", "n1"), NEWCOMER);

    @Test
    void theJoinPointRoundTrips()
    {
        final NodeMessage start = start(new JoinPoint(42, 7));

        assertThat(WireCodecProperties.decode(WireCodecProperties.encode(start))).isEqualTo(start);
    }

    @Test
    void withoutAJoinPointTheRequestIsThePreviousReleasesFrame()
    {
        final byte[] without = WireCodecProperties.encode(start(JoinPoint.NONE));
        final byte[] with = WireCodecProperties.encode(start(new JoinPoint(42, 7)));

        assertThat(Arrays.copyOf(with, without.length)).isEqualTo(without);
        assertThat(with).hasSize(without.length + 2);
        assertThat(WireCodecProperties.decode(without)).isEqualTo(start(JoinPoint.NONE));
    }

    @Test
    void toANodeOfProtocolThreeOrOlderTheRequestGoesWithoutIt()
    {
        final byte[] without = WireCodecProperties.encode(start(JoinPoint.NONE));
        for (final int protocol : new int[] {0, 1, 2, 3})
        {
            final BufferWriter out = new BufferWriter(64);
            WireCodec.INSTANCE.encode(start(new JoinPoint(42, 7)), out, protocol);
            assertThat(Arrays.copyOf(out.array(), out.position())).as("protocol %d", protocol).isEqualTo(without);
        }
    }

    @Test
    void aJoinPointWithoutAPositiveIndexAndTermIsRejected()
    {
        final byte[] without = WireCodecProperties.encode(start(JoinPoint.NONE));
        final byte[] zeroTerm = Arrays.copyOf(without, without.length + 2);
        zeroTerm[without.length] = 5;

        assertThatThrownBy(() -> WireCodecProperties.decode(zeroTerm)).isInstanceOf(CodecException.class)
            .hasMessageContaining("join point 5/0");
        final byte[] halfThere = Arrays.copyOf(without, without.length + 1);
        halfThere[without.length] = 5;
        assertThatThrownBy(() -> WireCodecProperties.decode(halfThere)).isInstanceOf(CodecException.class);
    }

    private static NodeMessage start(final JoinPoint joinedAt)
    {
        return new NodeMessage.StartServer(9, "c", "a.Machine", NEWCOMER, MEMBERS, joinedAt);
    }
}
