package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The memtable ring: contiguous adds, suffix truncation, prefix release, growth across the wrap-around.
 */
class MemTableTest
{
    @Test
    void holdsAContiguousRunThroughGrowthTruncationAndRelease()
    {
        final MemTable table = new MemTable();
        table.clear(10);
        for (long i = 10; i < 200; i++)
        {
            table.add(entry(i, 1));
        }
        table.dropUpTo(100);
        for (long i = 200; i < 400; i++)
        {
            table.add(entry(i, 1));
        }
        assertThat(table.firstIndex()).isEqualTo(101);
        assertThat(table.lastIndex()).isEqualTo(399);
        assertThat(table.entry(250)).isEqualTo(entry(250, 1));
        assertThat(table.entry(100)).isNull();
        table.truncateAfter(300);
        assertThat(table.lastIndex()).isEqualTo(300);
        assertThat(table.entry(301)).isNull();
        table.truncateAfter(50);
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.firstIndex()).isEqualTo(51);
        table.add(entry(51, 2));
        assertThat(table.entry(51).term()).isEqualTo(2);
    }
}
