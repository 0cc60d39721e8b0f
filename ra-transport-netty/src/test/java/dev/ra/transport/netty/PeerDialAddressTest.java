package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Where a peer is dialled: its name's address now, or the address it was given with when the name does not resolve
 * (an address built with a label that is no host name, {@code InetAddress.getByAddress(name, bytes)}), which is what
 * the transport dialled before names were looked up at each dial.
 */
class PeerDialAddressTest
{
    @Test
    void aNameThatDoesNotResolveIsDialledAtTheAddressItWasGivenWith() throws Exception
    {
        final InetAddress given = InetAddress.getByAddress("no-such-peer.invalid", new byte[] {127, 0, 0, 1});
        final PeerLink link = new PeerLink("n2", new InetSocketAddress(given, 7001));

        final InetSocketAddress dialled = link.dialAddress();

        assertThat(dialled.isUnresolved()).as("dialled " + dialled).isFalse();
        assertThat(dialled.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(dialled.getPort()).isEqualTo(7001);
    }

    @Test
    void aNameGivenUnresolvedThatDoesNotResolveStaysUnresolved()
    {
        final PeerLink link = new PeerLink("n2", InetSocketAddress.createUnresolved("no-such-peer.invalid", 7001));

        assertThat(link.dialAddress().isUnresolved()).isTrue();
    }
}
