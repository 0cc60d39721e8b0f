package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.transport.netty.PeerConnections.Removal;
import org.junit.jupiter.api.Test;

/**
 * The choice between duplicate connections, without sockets: the one dialed by the smaller id carries the traffic
 * whichever completes first, a superseded one is a standby until quiet, a node's new dial replaces its older one, and
 * the node is down only when the last connection closes.
 */
class PeerConnectionsTest
{
    private static final long QUIET = 1_000;

    @Test
    void thePreferredConnectionWinsWhicheverCompletesFirst()
    {
        final PeerConnections<String> otherFirst = new PeerConnections<>();
        assertThat(otherFirst.add("dialed-by-larger", false, 0)).isEmpty();
        assertThat(otherFirst.add("dialed-by-smaller", true, 10)).isEmpty();
        assertThat(otherFirst.active()).isEqualTo("dialed-by-smaller");
        assertThat(otherFirst.all()).containsExactly("dialed-by-smaller", "dialed-by-larger");

        final PeerConnections<String> preferredFirst = new PeerConnections<>();
        assertThat(preferredFirst.add("dialed-by-smaller", true, 0)).isEmpty();
        assertThat(preferredFirst.add("dialed-by-larger", false, 10)).isEmpty();
        assertThat(preferredFirst.active()).isEqualTo("dialed-by-smaller");
        assertThat(preferredFirst.all()).containsExactly("dialed-by-smaller", "dialed-by-larger");
    }

    @Test
    void aNewDialByTheSameNodeReplacesItsOlderConnectionAtOnce()
    {
        // A node dials again only once it has no connection left: it abandoned the older one.
        final PeerConnections<String> connections = new PeerConnections<>();
        connections.add("old", true, 0);
        connections.add("other-side", false, 5);
        assertThat(connections.add("new", true, 10)).containsExactly("old");
        assertThat(connections.active()).isEqualTo("new");
        assertThat(connections.all()).containsExactly("new", "other-side");
        assertThat(connections.remove("old")).as("already forgotten").isEqualTo(Removal.UNKNOWN);

        assertThat(connections.add("other-side-again", false, 20)).containsExactly("other-side");
        assertThat(connections.active()).isEqualTo("new");
        assertThat(connections.size()).isEqualTo(2);
    }

    @Test
    void aStandbyRetiresOnlyAfterTheQuietPeriodWithoutMessages()
    {
        final PeerConnections<String> connections = new PeerConnections<>();
        connections.add("standby", false, 0);
        connections.add("preferred", true, 100);
        assertThat(connections.isRetirable("preferred", 0, 1_000_000, QUIET)).as("the active one never").isFalse();
        assertThat(connections.isRetirable("standby", 0, 100 + QUIET - 1, QUIET)).isFalse();
        assertThat(connections.isRetirable("standby", 0, 100 + QUIET, QUIET)).isTrue();
        // The peer had not switched yet and sent a message there at 500: quiet again only from then on.
        assertThat(connections.isRetirable("standby", 500, 100 + QUIET, QUIET)).isFalse();
        assertThat(connections.isRetirable("standby", 500, 500 + QUIET, QUIET)).isTrue();
        assertThat(connections.isRetirable("unknown", 0, 1_000_000, QUIET)).isFalse();
    }

    @Test
    void whenTheActiveConnectionClosesTheStandbyTakesOverAndTheNodeStaysUp()
    {
        final PeerConnections<String> connections = new PeerConnections<>();
        connections.add("standby", false, 0);
        connections.add("preferred", true, 10);
        assertThat(connections.remove("preferred")).isEqualTo(Removal.HANDED_OVER);
        assertThat(connections.active()).isEqualTo("standby");
        assertThat(connections.isRetirable("standby", 0, 1_000_000, QUIET)).as("active again").isFalse();
        assertThat(connections.remove("standby")).isEqualTo(Removal.LAST);
        assertThat(connections.active()).isNull();
        assertThat(connections.remove("standby")).isEqualTo(Removal.UNKNOWN);
    }

    @Test
    void aClosingStandbyChangesNothing()
    {
        final PeerConnections<String> connections = new PeerConnections<>();
        connections.add("preferred", true, 0);
        connections.add("standby", false, 10);
        assertThat(connections.remove("standby")).isEqualTo(Removal.STANDBY);
        assertThat(connections.active()).isEqualTo("preferred");
        assertThat(connections.size()).isEqualTo(1);
    }
}
