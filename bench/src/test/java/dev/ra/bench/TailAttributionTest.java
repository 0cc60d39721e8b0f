package dev.ra.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How a sync's file is named in the tail's "other syncs": by kind, and also when JFR recorded no path for it (such an
 * event used to throw a NullPointerException and lose the whole latency line of the {@code wal} figure).
 */
class TailAttributionTest
{
    @Test
    void filesOfOneKindAddUp()
    {
        assertThat(TailAttribution.fileKind("/data/wal/0000000000000003.spare")).isEqualTo("#.spare");
        assertThat(TailAttribution.fileKind("/data/servers/a/meta")).isEqualTo("meta");
        // Hex numbers too: snapshot and segment spare names are hexadecimal, and digits alone left hundreds of kinds.
        assertThat(TailAttribution.fileKind("/data/servers/a/snapshots/000000000000a3b2-00000000000000f1.snapshot.tmp"))
            .isEqualTo("#-#.snapshot.tmp");
        assertThat(TailAttribution.fileKind("/data/segment-spares/1f-5f3a0.spare")).isEqualTo("#-#.spare");
    }

    @Test
    void aSyncWithoutAPathIsOfUnknownKind()
    {
        assertThat(TailAttribution.fileKind(null)).isEqualTo("unknown");
    }
}
