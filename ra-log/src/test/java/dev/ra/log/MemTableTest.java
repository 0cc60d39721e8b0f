package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The memtable ring: contiguous adds, suffix truncation, prefix release, growth across the wrap-around, and which
 * entries keep their objects (not yet located in the WAL, or among the most recent).
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

    @Test
    void aSmallFirstPageGrowsWhereverItsEntriesFallAndIsReusedAsAnyPage()
    {
        final MemTable table = new MemTable(0);
        for (long i = 1; i <= 5; i++)
        {
            table.add(entry(i, 1), (int)i);
        }
        // Restart the run far into a page: the first page's slots start near its end.
        table.clear(1000);
        for (long i = 1000; i < 1600; i++)
        {
            table.add(entry(i, 2), (int)i);
            table.locate(i, (int)i, 3, i * 10, 40);
        }
        table.dropUpTo(1300);
        for (long i = 1600; i < 2200; i++)
        {
            table.add(entry(i, 3), (int)i);
        }
        assertThat(table.firstIndex()).isEqualTo(1301);
        assertThat(table.lastIndex()).isEqualTo(2199);
        for (long i = 1301; i < 1600; i++)
        {
            assertThat(table.walOffset(i)).isEqualTo(i * 10);
            assertThat(table.term(i)).isEqualTo(2);
        }
        for (long i = 1600; i < 2200; i++)
        {
            assertThat(table.entry(i)).isEqualTo(entry(i, 3));
            assertThat(table.checksum(i)).isEqualTo((int)i);
        }
        table.dropUpTo(2199);
        assertThat(table.isEmpty()).isTrue();
        table.add(entry(2200, 4));
        assertThat(table.entry(2200).term()).isEqualTo(4);
    }

    @Test
    void keepsObjectsOnlyForEntriesNotYetLocatedOrInTheRecentWindow()
    {
        final MemTable table = new MemTable(3);
        for (long i = 1; i <= 10; i++)
        {
            table.add(entry(i, 1), (int)i * 7);
        }
        assertThat(table.objectCount()).as("nothing is located yet").isEqualTo(10);
        // A record whose checksum is not the held entry's is an older write of that index: ignored.
        table.locate(1, 12345, 4, 100, 50);
        assertThat(table.walSequence(1)).isEqualTo(MemTable.NOT_LOCATED);
        for (long i = 1; i <= 6; i++)
        {
            table.locate(i, (int)i * 7, 4, i * 100, 50);
        }
        assertThat(table.objectCount()).as("7..10: not located").isEqualTo(4);
        assertThat(table.entry(7)).isNotNull();
        assertThat(table.entry(2)).as("held as a location only").isNull();
        assertThat(table.contains(2)).isTrue();
        assertThat(table.term(2)).isEqualTo(1);
        assertThat(table.walSequence(2)).isEqualTo(4);
        assertThat(table.walOffset(2)).isEqualTo(200);
        assertThat(table.recordLength(2)).isEqualTo(50);
        table.add(entry(11, 1), 77);
        // Entries 7.. are not located: they keep their objects however old they get.
        for (long i = 12; i <= 20; i++)
        {
            table.add(entry(i, 1), (int)i * 7);
        }
        assertThat(table.entry(7)).isNotNull();
        assertThat(table.objectCount()).isEqualTo(14);

        table.truncateAfter(8);
        table.add(entry(9, 2), 99);
        table.locate(7, 49, 5, 700, 50);
        table.locate(8, 56, 5, 800, 50);
        table.locate(9, 99, 5, 900, 50);
        assertThat(table.objectCount()).as("7, 8, 9 are located and the last 3").isEqualTo(3);
        table.add(entry(10, 2), 100);
        assertThat(table.entry(7)).isNull();
        assertThat(table.walSequence(7)).isEqualTo(5);

        table.restore(entry(2, 1));
        assertThat(table.entry(2)).isEqualTo(entry(2, 1));
        assertThat(table.walSequence(2)).isEqualTo(MemTable.NOT_LOCATED);

        table.dropUpTo(8);
        assertThat(table.firstIndex()).isEqualTo(9);
        assertThat(table.objectCount()).isEqualTo(2);
        table.clear(20);
        assertThat(table.objectCount()).isZero();
    }

    /** Many pages: drops and truncations in the middle of pages, reuse of released pages, against a plain model. */
    @Test
    void pagesFollowAModelThroughRandomAddsDropsAndTruncations()
    {
        final java.util.Random random = new java.util.Random(11);
        final MemTable table = new MemTable(100);
        final java.util.TreeMap<Long, Long> model = new java.util.TreeMap<>();
        long next = 1;
        for (int step = 0; step < 20_000; step++)
        {
            final int action = random.nextInt(100);
            if (action < 80)
            {
                final long term = 1 + random.nextInt(3);
                table.add(entry(next, term), (int)(next * 31 + term));
                table.locate(next, (int)(next * 31 + term), 9, next * 10, 40);
                model.put(next, term);
                next++;
            }
            else if (action < 90 && !model.isEmpty())
            {
                final long upTo = model.firstKey() + random.nextInt(Math.min(2000, model.size()));
                table.dropUpTo(upTo);
                model.headMap(upTo, true).clear();
            }
            else if (!model.isEmpty())
            {
                final long after = model.lastKey() - random.nextInt(Math.min(700, model.size()));
                table.truncateAfter(after);
                model.tailMap(after, false).clear();
                next = after + 1;
            }
            assertThat(table.size()).isEqualTo(model.size());
            if (!model.isEmpty())
            {
                assertThat(table.firstIndex()).isEqualTo(model.firstKey());
                assertThat(table.lastIndex()).isEqualTo(model.lastKey());
                final long probe = model.firstKey() + random.nextInt(model.size());
                assertThat(table.term(probe)).isEqualTo(model.get(probe));
                assertThat(table.walOffset(probe)).isEqualTo(probe * 10);
                // Beyond the window only locations are kept; within it an object may have been released before a
                // truncation brought the end back (it is read from the WAL then).
                if (probe <= model.lastKey() - 100)
                {
                    assertThat(table.entry(probe)).isNull();
                }
                else if (null != table.entry(probe))
                {
                    assertThat(table.entry(probe)).isEqualTo(entry(probe, model.get(probe)));
                }
            }
        }
    }
}
