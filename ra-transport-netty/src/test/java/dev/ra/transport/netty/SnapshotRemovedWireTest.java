package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.protocol.Member;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protocol version 11: an InstallSnapshot carries the servers removed from the cluster up to the snapshot, which the
 * snapshot's metadata names ({@link SnapshotMeta#removed}). Sent without them, a follower that installed the snapshot
 * and later led did not recognise a member removed while its node was down, which then campaigned for ever. A node of
 * version 10 or older (which rejects trailing bytes) is sent the chunk as its release sends it, and such a chunk reads
 * back with none.
 */
class SnapshotRemovedWireTest
{
    private static final ServerId LEADER = new ServerId("t", "n1");
    private static final ServerId FOLLOWER = new ServerId("t", "n2");
    private static final List<ServerId> REMOVED = List.of(new ServerId("t", "n4"), new ServerId("t", "n5"));
    private static final SnapshotMeta META = new SnapshotMeta(40, 3, List.of(Member.voter(LEADER),
        Member.voter(FOLLOWER)), 1).withRemoved(REMOVED);

    @Test
    void aSnapshotChunkCarriesTheRemovedServersFromVersionElevenAndNoneBefore()
    {
        final NodeMessage chunk = install(META);

        assertThat(roundTrip(chunk, ProtocolVersions.SNAPSHOT_REMOVED)).isEqualTo(chunk);
        assertThat(roundTrip(chunk, ProtocolVersions.DELETION_TERM)).as("to a node of version 10")
            .isEqualTo(install(META.withRemoved(List.of())));
        assertThat(encoded(install(META.withRemoved(List.of())), ProtocolVersions.SNAPSHOT_REMOVED))
            .as("a snapshot that names no removed server is sent as before")
            .isEqualTo(encoded(install(META.withRemoved(List.of())), ProtocolVersions.DELETION_TERM));
    }

    private static NodeMessage install(final SnapshotMeta meta)
    {
        return new NodeMessage.RaftMessage(LEADER, FOLLOWER, new RaftRpc.InstallSnapshotRpc(3, LEADER, meta, 0,
            Bytes.wrap(new byte[] {1, 2, 3}), true));
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
