package dev.ra.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The servers a snapshot names as removed, written after its metadata: read back by a reader that knows them, ignored
 * by one that reads the metadata alone, none when nothing follows (a snapshot of an earlier release).
 */
class RemovedServersCodecTest
{
    private static final SnapshotMeta META = new SnapshotMeta(10, 2, List.of(Member.voter(new ServerId("c", "n1"))), 0,
        List.of(new ServerId("c", "n2"), new ServerId("c", "n3")));

    @Test
    void theRemovedServersFollowTheMetadataAndAreReadBackOrIgnored()
    {
        final BufferWriter out = new BufferWriter(64);
        EntryCodec.writeSnapshotMeta(META, out);
        EntryCodec.writeRemovedServers(META.removed(), out);

        final BufferReader in = new BufferReader(out.toByteArray());
        final SnapshotMeta read = EntryCodec.readSnapshotMeta(in);
        assertThat(read.withRemoved(EntryCodec.readRemovedServers(in))).isEqualTo(META);
        assertThat(EntryCodec.readSnapshotMeta(new BufferReader(out.toByteArray())))
            .as("read by a reader that knows the metadata alone").isEqualTo(new SnapshotMeta(10, 2, META.members(), 0));
    }

    @Test
    void metadataWithNothingAfterItNamesNoRemovedServer()
    {
        final BufferWriter out = new BufferWriter(64);
        EntryCodec.writeSnapshotMeta(META, out);
        final BufferReader in = new BufferReader(out.toByteArray());
        EntryCodec.readSnapshotMeta(in);
        assertThat(EntryCodec.readRemovedServers(in)).isEmpty();
    }

    @Test
    void aForgedCountIsRefusedNamingIt()
    {
        final BufferWriter out = new BufferWriter(64);
        out.writeVarLong(1_000_000);
        assertThatThrownBy(() -> EntryCodec.readRemovedServers(new BufferReader(out.toByteArray())))
            .isInstanceOf(CodecException.class).hasMessageContaining("1000000");
    }

    @Test
    void aSnapshotKeepsTheNewestRemovedServersOnly()
    {
        final List<ServerId> many = java.util.stream.IntStream.range(0, SnapshotMeta.MAX_REMOVED + 5)
            .mapToObj(i -> new ServerId("c", "n" + i)).toList();
        final SnapshotMeta meta = META.withRemoved(many);
        assertThat(meta.removed()).hasSize(SnapshotMeta.MAX_REMOVED).startsWith(new ServerId("c", "n5"))
            .endsWith(many.get(many.size() - 1));
    }
}
