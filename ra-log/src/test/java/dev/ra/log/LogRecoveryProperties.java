package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotSink;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Random appends, overwrites, resends, snapshots, snapshot installs, rollovers and crashes (losing unsynced data,
 * tearing and garbling the last writes, also at an exact file operation: between the steps of a rollover, a flush or
 * a WAL file's recycling) against an in-memory file system: after every recovery, each entry that was reported
 * durable is present and identical, and no entry appears that was never written. The WAL is small, so files are
 * rolled over, flushed and recycled (overwritten in place) all the time, and the memtables keep no entry objects, so
 * every durable entry not yet in a segment is read back from a WAL file.
 */
class LogRecoveryProperties
{
    private static final Path ROOT = Path.of("/data");
    private static final int SERVERS = 3;
    private static final String PADDING = "x".repeat(500);
    private static final LongAdder SEGMENTS_OVER_SPARES = new LongAdder();

    sealed interface Action permits Append, Overwrite, Resend, Snapshot, Install, Crash, CrashAtOperation, Restart
    {
    }

    record Append(int server, int count) implements Action
    {
    }

    record Overwrite(int server, int back, int count) implements Action
    {
    }

    record Resend(int server, int back, int count) implements Action
    {
    }

    record Snapshot(int server, int back) implements Action
    {
    }

    /** A snapshot installed: written whole, or received in chunks as a follower receives a leader's. */
    record Install(int server, int ahead, boolean inChunks) implements Action
    {
    }

    record Crash(boolean tear, boolean garbage, long seed) implements Action
    {
    }

    /** Keep appending until the given number of file operations has happened, then crash at the next one. */
    record CrashAtOperation(int operations, boolean tear, boolean garbage, long seed) implements Action
    {
    }

    record Restart() implements Action
    {
    }

    private static Gen<List<Action>> scenarios()
    {
        final Gen<Integer> server = Gen.ints(0, SERVERS - 1);
        final Gen<Integer> appended = Gen.ints(1, 40);
        final Gen<Integer> overwriteBack = Gen.ints(1, 30);
        final Gen<Integer> overwritten = Gen.ints(1, 20);
        final Gen<Integer> resendBack = Gen.ints(1, 30);
        final Gen<Integer> resent = Gen.ints(1, 30);
        final Gen<Integer> snapshotBack = Gen.ints(0, 50);
        final Gen<Integer> installAhead = Gen.ints(1, 60);
        final Gen<Integer> operations = Gen.ints(0, 800);
        final Gen<Boolean> flags = Gen.booleans();
        final Gen<Long> seeds = Gen.longs();
        final Gen<Action> append = c -> new Append(server.next(c), appended.next(c));
        final Gen<Action> overwrite = c -> new Overwrite(server.next(c), overwriteBack.next(c), overwritten.next(c));
        final Gen<Action> resend = c -> new Resend(server.next(c), resendBack.next(c), resent.next(c));
        final Gen<Action> snapshot = c -> new Snapshot(server.next(c), snapshotBack.next(c));
        final Gen<Action> install = c -> new Install(server.next(c), installAhead.next(c), flags.next(c));
        final Gen<Action> crash = c -> new Crash(flags.next(c), flags.next(c), seeds.next(c));
        final Gen<Action> crashAtOperation = c -> new CrashAtOperation(operations.next(c), flags.next(c),
            flags.next(c), seeds.next(c));
        final Gen<Action> restart = Gen.constant(new Restart());
        return Gen.<Action>frequency(
            Gen.weight(12, append), Gen.weight(3, overwrite),
            Gen.weight(2, resend), Gen.weight(2, snapshot),
            Gen.weight(1, install), Gen.weight(3, crash),
            Gen.weight(2, crashAtOperation), Gen.weight(1, restart))
            .list(5, 45);
    }

    @Test
    void durableEntriesSurviveCrashesAndNothingUnwrittenAppears()
    {
        final long sparesBefore = SEGMENTS_OVER_SPARES.sum();
        Property.forAll(200, scenarios(), LogRecoveryProperties::run);
        assertThat(SEGMENTS_OVER_SPARES.sum() - sparesBefore)
            .as("segments written over spare files in all scenarios (the crashes must cover that path)").isPositive();
    }

    /**
     * The same on a file system that writes out name changes (creates, renames, deletes) in any order before their
     * directory is synced: a crash keeps any subset of them, each end of a rename on its own (stricter than a
     * journalling file system, which commits a rename whole and in order). It ran only on request while it failed.
     * Seed 3127929141000995582 once failed it ("sequence 44 does not match the file name"): a crash kept only the
     * pool's end of a segment's rename into the spares, and the model reported one link for the file, so the pool
     * adopted it and wrote it over while the segment's name still led to it; the model now counts links as a real
     * file system does (docs/log-format.md, "Spare segment files"). Seed 6547274311342655638 once failed it too, not
     * reproducibly: a WAL file whose name survived a crash with its header torn after its magic ("unsupported format
     * version 66") was taken for a newer release's file; a header whose checksum does not match is now damage, and
     * the newest file's is recycled as holding nothing (DamagedHeaderTest). A seed did not reproduce because the
     * crash model drew its choices in an order that changed from run to run (now that of the file names,
     * FaultyFileLayerTest); thread timing still decides what a crash finds unsynced, so a failure reports what the
     * last crashes kept. With both fixed it passed 6,200 scenarios in a row, and now runs with the other property.
     */
    @Test
    void durableEntriesSurviveCrashesThatReorderNameChanges()
    {
        Property.forAll(200, scenarios(), actions -> run(actions, true));
    }

    private static void run(final List<Action> actions) throws Exception
    {
        run(actions, false);
    }

    private static void run(final List<Action> actions, final boolean reorderNames) throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        disk.reorderNames(reorderNames);
        final Node node = new Node(disk);
        int done = 0;
        try
        {
            for (final Action action : actions)
            {
                node.perform(action);
                done++;
            }
            node.perform(new Crash(true, true, 42));
        }
        catch (final AssertionError | RuntimeException failure)
        {
            throw diagnosed(failure, done, actions.size(), disk);
        }
        finally
        {
            node.close();
        }
    }

    /**
     * The actions of a seed are always the same, but what a crash finds not yet durable depends on how the storage's
     * threads ran (how appends were batched, where a flush or a rollover was), so a seed may not fail again: the
     * failure says what the last crashes kept and what the WAL directory holds.
     */
    private static AssertionError diagnosed(final Throwable failure, final int done, final int actions,
        final FaultyFileLayer disk)
    {
        return new AssertionError(failure.getMessage() + "\n(" + (done < actions ? "at action " + done :
            "at the final crash after the " + actions + " actions") + "; a seed may not reproduce a failure, as " +
            "thread timing decides what a crash finds unsynced)\nwhat the last crashes kept:\n" + disk.crashJournal() +
            "\nthe WAL directory and the data directory now:" + disk.describeFiles(ROOT.resolve("wal")) +
            disk.describeFiles(ROOT), failure);
    }

    /**
     * Regression (a shrunk sample this property once found): after a clean restart server s0 came back with last
     * index 1 instead of 37. The failure depends on thread timing (how much of the WAL a crash catches
     * unsynced), so this replays the sample but is not guaranteed to hit it; the deterministic version is
     * CorruptionMatrixTest.staleEntryAtTheSnapshotIndexDoesNotCostTheEntriesAppendedAfterTheSnapshot.
     */
    @Test
    void regressionCleanRestartLosesTail() throws Exception
    {
        run(List.of(
            new Resend(0, 1, 15),
            new Append(0, 1),
            new Append(1, 19),
            new Crash(false, true, 28657L),
            new Overwrite(0, 9, 19),
            new Append(1, 37),
            new Append(2, 7),
            new Overwrite(1, 2, 2),
            new Resend(1, 2, 29),
            new Snapshot(0, 36),
            new Overwrite(2, 29, 19),
            new Resend(1, 29, 30),
            new Snapshot(1, 26),
            new Append(0, 28),
            new Crash(false, false, -1123260L),
            new Overwrite(1, 6, 3),
            new Append(0, 26),
            new Overwrite(1, 30, 19),
            new Append(2, 19),
            new Resend(1, 2, 1),
            new Crash(true, false, 1L),
            new Crash(true, true, 22L),
            new Append(1, 1),
            new Append(2, 14),
            new Overwrite(2, 29, 1),
            new Snapshot(0, 10),
            new Overwrite(1, 29, 19),
            new Overwrite(0, 30, 19),
            new Overwrite(0, 2, 19),
            new Restart(),
            new Crash(false, true, -86619L),
            new Resend(1, 1, 30),
            new Overwrite(0, 26, 18),
            new Install(0, 57, false),
            new Restart(),
            new Append(1, 10),
            new Snapshot(2, 11),
            new Resend(2, 30, 16),
            new Append(0, 1),
            new Resend(0, 17, 8),
            new Snapshot(0, 50),
            new Crash(false, false, 3682385854L),
            new Append(1, 38),
            new Snapshot(2, 11),
            new Append(2, 27)));
    }

    /** The storage under test plus the model of what each server's log must hold. */
    private static final class Node
    {
        private final FaultyFileLayer disk;
        private final List<Model> models = new ArrayList<>();
        private FileStorage storage;
        private final List<ServerStorage> servers = new ArrayList<>();

        Node(final FaultyFileLayer disk)
        {
            this.disk = disk;
            for (int i = 0; i < SERVERS; i++)
            {
                models.add(new Model(new ServerId("s" + i, "n1")));
            }
            start();
        }

        private void start()
        {
            // Object window 0: every durable memtable entry is read back from its (possibly recycled) WAL file. Direct
            // writes from 4 KiB: most segments are written partly around the page cache, as large ones are.
            storage = FileStorage.builder().directory(ROOT).walMaxSizeBytes(64 << 10).segmentMaxEntries(32)
                .segmentMaxBytes(8192).memTableObjectWindow(0).directWriteMinBytes(4096).fileLayer(disk.view())
                .build();
            servers.clear();
            for (final Model model : models)
            {
                model.acks.clear();
                servers.add(storage.open(model.id, model.listener()));
            }
        }

        void close()
        {
            closeStorage();
        }

        private void closeStorage()
        {
            SEGMENTS_OVER_SPARES.add(storage.walStatistics().segmentFilesOverSpares());
            storage.close();
        }

        void perform(final Action action) throws Exception
        {
            for (final Model model : models)
            {
                model.processAcks();
            }
            if (action instanceof Append a)
            {
                models.get(a.server()).append(log(a.server()), a.count());
            }
            else if (action instanceof Overwrite o)
            {
                models.get(o.server()).overwrite(log(o.server()), o.back(), o.count());
            }
            else if (action instanceof Resend r)
            {
                models.get(r.server()).resend(log(r.server()), r.back(), r.count());
            }
            else if (action instanceof Snapshot s)
            {
                models.get(s.server()).snapshot(servers.get(s.server()), s.back());
            }
            else if (action instanceof Install i)
            {
                models.get(i.server()).install(servers.get(i.server()), i.ahead(), i.inChunks());
            }
            else if (action instanceof Crash c)
            {
                disk.crash(new Random(c.seed()), c.tear(), c.garbage());
                closeStorage();
                recoverAndVerify(false);
            }
            else if (action instanceof CrashAtOperation c)
            {
                crashAtOperation(c);
            }
            else if (action instanceof Restart)
            {
                closeStorage();
                recoverAndVerify(true);
            }
            else
            {
                throw new IllegalStateException("unhandled " + action);
            }
            for (int i = 0; i < SERVERS; i++)
            {
                models.get(i).verifyLive(log(i));
            }
        }

        private LogStore log(final int server)
        {
            return servers.get(server).log();
        }

        private void crashAtOperation(final CrashAtOperation c) throws InterruptedException
        {
            final int crashesBefore = disk.crashes();
            disk.crashAfterOperations(c.operations(), new Random(c.seed()), c.tear(), c.garbage());
            // Keep every writer busy (batches, rollovers, flushes, recycling) until the crash point is reached.
            for (int round = 0; round < 300 && disk.crashes() == crashesBefore; round++)
            {
                final int server = round % SERVERS;
                try
                {
                    models.get(server).append(log(server), 8);
                }
                catch (final RuntimeException storageDied)
                {
                    break;
                }
                models.get(server).processAcks();
                Thread.sleep(1);
            }
            if (disk.crashes() == crashesBefore)
            {
                disk.crash(new Random(c.seed()), c.tear(), c.garbage());
            }
            closeStorage();
            recoverAndVerify(false);
        }

        private void recoverAndVerify(final boolean clean)
        {
            for (final Model model : models)
            {
                model.processAcks();
            }
            start();
            for (int i = 0; i < SERVERS; i++)
            {
                models.get(i).verifyAndAdopt(servers.get(i), clean);
            }
        }
    }

    /** What one server's log must look like. */
    private static final class Model
    {
        final ServerId id;
        final ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>();
        final TreeMap<Long, LogEntry> log = new TreeMap<>();
        final Map<Long, Set<String>> everWritten = new HashMap<>();
        long snapshotIndex;
        long snapshotTerm;
        long durable;
        long term = 1;
        int sequence;

        Model(final ServerId id)
        {
            this.id = id;
        }

        LogListener listener()
        {
            return new LogListener()
            {
                @Override
                public void onWritten(final long index, final long writtenTerm)
                {
                    acks.add(new long[] {index, writtenTerm});
                }

                @Override
                public void onFailure(final Throwable cause)
                {
                    // expected after a simulated crash: the dead process's threads fail
                }
            };
        }

        long lastIndex()
        {
            return log.isEmpty() ? snapshotIndex : log.lastKey();
        }

        long termAt(final long index)
        {
            if (index == snapshotIndex)
            {
                return snapshotTerm;
            }
            final LogEntry e = log.get(index);
            return null == e ? -1 : e.term();
        }

        void processAcks()
        {
            long[] ack;
            while (null != (ack = acks.poll()))
            {
                if (ack[0] <= lastIndex() && (ack[0] < snapshotIndex || termAt(ack[0]) == ack[1]))
                {
                    durable = Math.max(durable, ack[0]);
                }
            }
        }

        private LogEntry newEntry(final long index)
        {
            final String text = id.name() + "-" + index + "-" + term + "-" + (sequence++) + PADDING;
            everWritten.computeIfAbsent(index, k -> new HashSet<>()).add(text);
            return TestEntries.entry(index, term, text);
        }

        void append(final LogStore store, final int count)
        {
            final List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                entries.add(newEntry(lastIndex() + 1 + i));
            }
            store.append(entries);
            for (final LogEntry e : entries)
            {
                log.put(e.index(), e);
            }
        }

        void overwrite(final LogStore store, final int back, final int count)
        {
            final long from = Math.max(snapshotIndex + 1, lastIndex() - back + 1);
            term++;
            cut(from - 1);
            final List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                entries.add(newEntry(from + i));
            }
            store.append(entries);
            for (final LogEntry e : entries)
            {
                log.put(e.index(), e);
            }
        }

        void resend(final LogStore store, final int back, final int count)
        {
            if (log.isEmpty())
            {
                return;
            }
            final long from = Math.max(log.firstKey(), lastIndex() - back + 1);
            final long to = Math.min(lastIndex(), from + count - 1);
            final List<LogEntry> entries = new ArrayList<>(log.subMap(from, true, to, true).values());
            store.append(entries);
            cut(to);
        }

        private void cut(final long last)
        {
            log.tailMap(last, false).clear();
            durable = Math.min(durable, last);
        }

        void snapshot(final ServerStorage server, final int back)
        {
            final long index = Math.max(snapshotIndex + 1, lastIndex() - back);
            if (index > lastIndex())
            {
                return;
            }
            final SnapshotMeta meta = new SnapshotMeta(index, termAt(index), List.of(), 0);
            server.snapshots().write(meta, state(meta));
            server.log().truncateUpTo(index);
            snapshotTerm = termAt(index);
            snapshotIndex = index;
            log.headMap(index, true).clear();
        }

        void install(final ServerStorage server, final int ahead, final boolean inChunks)
        {
            term++;
            final SnapshotMeta meta = new SnapshotMeta(lastIndex() + ahead, term, List.of(), 0);
            if (inChunks)
            {
                final byte[] state = state(meta).unsafeArray();
                final SnapshotSink sink = server.snapshots().accept(meta);
                for (int offset = 0; offset < state.length; offset += 5)
                {
                    sink.append(Bytes.copyOf(state, offset, Math.min(5, state.length - offset)));
                }
                sink.complete();
            }
            else
            {
                server.snapshots().write(meta, state(meta));
            }
            server.log().resetTo(meta.index(), meta.term());
            log.clear();
            snapshotIndex = meta.index();
            snapshotTerm = meta.term();
            durable = snapshotIndex;
        }

        private static Bytes state(final SnapshotMeta meta)
        {
            return Bytes.wrap(("state@" + meta.index() + "/" + meta.term()).getBytes(StandardCharsets.UTF_8));
        }

        /** Live reads (memtable and segments) always show exactly what was appended. */
        void verifyLive(final LogStore store)
        {
            assertThat(store.firstIndex()).as("%s live first index", id).isEqualTo(snapshotIndex + 1);
            assertThat(store.lastIndex()).as("%s live last index", id).isEqualTo(lastIndex());
            assertThat(store.term(snapshotIndex)).as("%s live snapshot term", id).isEqualTo(snapshotTerm);
            final List<LogEntry> live = new ArrayList<>();
            store.read(store.firstIndex(), store.lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, live);
            assertThat(live).as("%s live entries", id).containsExactlyElementsOf(log.values());
        }

        void verifyAndAdopt(final ServerStorage server, final boolean clean)
        {
            final LogStore store = server.log();
            final SnapshotMeta latest = server.snapshots().latest();
            if (snapshotIndex > 0)
            {
                assertThat(latest).as("%s snapshot", id).isNotNull();
                assertThat(latest.index()).as("%s snapshot index", id).isEqualTo(snapshotIndex);
                assertThat(server.snapshots().read(latest)).isEqualTo(state(latest));
            }
            assertThat(store.firstIndex()).as("%s first index", id).isEqualTo(snapshotIndex + 1);
            assertThat(store.term(snapshotIndex)).as("%s snapshot term", id).isEqualTo(snapshotTerm);
            final long requiredLast = Math.max(durable, snapshotIndex);
            assertThat(store.lastIndex()).as("%s last index (durable %d)", id, durable)
                .isGreaterThanOrEqualTo(requiredLast);
            if (clean)
            {
                assertThat(store.lastIndex()).as("%s last index after a clean restart", id).isEqualTo(lastIndex());
            }
            final List<LogEntry> recovered = new ArrayList<>();
            store.read(store.firstIndex(), store.lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, recovered);
            assertThat(recovered).as("%s readable entries", id).hasSize((int)(store.lastIndex() - snapshotIndex));
            long previousTerm = snapshotTerm;
            for (final LogEntry e : recovered)
            {
                final String text = TestEntries.text(e);
                assertThat(everWritten.getOrDefault(e.index(), Set.of())).as("%s entry %d was written", id, e.index())
                    .contains(text);
                if (e.index() <= durable || clean)
                {
                    assertThat(e).as("%s durable entry %d", id, e.index()).isEqualTo(log.get(e.index()));
                }
                assertThat(e.term()).as("%s terms never decrease", id).isGreaterThanOrEqualTo(previousTerm);
                previousTerm = e.term();
            }
            log.clear();
            for (final LogEntry e : recovered)
            {
                log.put(e.index(), e);
            }
            durable = store.lastIndex();
            // Raft never writes different content at the same index and term: after a restart a server only gets
            // new entries from a later term's leader. Without this the model could re-use (index, term) for new
            // content, and a late durability report for the lost entry would be credited to the new one.
            term++;
        }
    }
}
