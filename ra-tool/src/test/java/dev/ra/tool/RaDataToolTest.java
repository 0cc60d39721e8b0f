package dev.ra.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.ServerOverview;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.log.DataDirectoryReader;
import dev.ra.log.FileStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool on data written by a real three-node cluster ({@link ClusterData}), then on damaged copies of it: inspect
 * shows what was written, verify passes clean data and names the file and offset of each damage, dump decodes the
 * commands with the machine's codec; inspect keeps working on damaged data; bad arguments exit 2 without a stack
 * trace. Every command runs in-process through {@link RaDataTool#run}, as {@code main} does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaDataToolTest
{
    private static final int COMMANDS = 300;
    private static final Pattern LOG_LINE = Pattern.compile("log: (\\d+)\\.\\.(\\d+), last term (\\d+)");
    private static final Pattern TERM_LINE = Pattern.compile("term (\\d+), voted for (\\S+)");

    @TempDir
    static Path root;

    @TempDir
    Path scratch;

    private static ClusterData data;

    /** What one run printed and returned. */
    private record Run(int status, String out, String err)
    {
    }

    @BeforeAll
    static void writeData()
    {
        data = ClusterData.write(root, COMMANDS);
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int status = RaDataTool.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    private static String node(final String node)
    {
        return root.resolve(node).toString();
    }

    @Test
    void inspectShowsEachServerWithItsTermVoteAndTheLogItWrote()
    {
        for (final String node : ClusterData.NODES)
        {
            final Run run = run("inspect", node(node));
            assertThat(run.status).as(run.err).isZero();
            assertThat(run.err).isEmpty();
            final ServerOverview before = data.overviews.get(node);
            assertThat(run.out).contains("server kv@" + node + "  (cluster kv, directory kv@" + node);
            final Matcher term = TERM_LINE.matcher(run.out);
            assertThat(term.find()).as(run.out).isTrue();
            assertThat(Long.parseLong(term.group(1))).isGreaterThanOrEqualTo(before.currentTerm()).isPositive();
            assertThat(term.group(2)).startsWith("kv@");
            final Matcher log = LOG_LINE.matcher(run.out);
            assertThat(log.find()).as(run.out).isTrue();
            // The log holds at least what the member had written, and its last entry's term is a term it saw.
            assertThat(Long.parseLong(log.group(2))).isGreaterThanOrEqualTo(before.lastWrittenIndex())
                .isGreaterThanOrEqualTo(COMMANDS);
            assertThat(Long.parseLong(log.group(3))).isPositive().isLessThanOrEqualTo(Long.parseLong(term.group(1)));
            assertThat(run.out).contains(".segment").contains("snapshots:").contains("wal.mark:");
            assertThat(run.out).doesNotContain("DAMAGED");
        }
    }

    @Test
    void inspectJsonHasTheSameFacts()
    {
        final Run run = run("inspect", "--json", node("n2"));
        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out.trim()).startsWith("{").endsWith("}");
        assertThat(run.out).contains("\"id\":\"kv@n2\"", "\"cluster\":\"kv\"", "\"segments\":[{", "\"walFiles\":[",
            "\"readFrom\":\"meta\"");
    }

    @Test
    void verifyPassesTheDataAClusterWrote()
    {
        for (final String node : ClusterData.NODES)
        {
            final Run run = run("verify", node(node));
            assertThat(run.status).as(run.out + run.err).isEqualTo(RaDataTool.CLEAN);
            assertThat(run.out).contains(": clean");
        }
    }

    /**
     * The node's record of the servers deleted with their cluster: how many it remembers, and its damage, which verify
     * counts (the storage opens on it all the same, remembering the records before the damage).
     */
    @Test
    void inspectAndVerifyShowTheRecordOfDeletedServers() throws Exception
    {
        assertThat(run("inspect", node("n1")).out).contains("deleted-servers: absent");
        final Path dir = scratch.resolve("deletions");
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            for (int i = 1; i <= 3; i++)
            {
                storage.rememberDeletion(new ServerId("kv" + i, "n1"), i);
            }
        }
        assertThat(run("inspect", dir.toString()).out).contains("deleted-servers: 3 server(s)")
            .doesNotContain("DAMAGED");
        assertThat(run("inspect", "--json", dir.toString()).out)
            .contains("\"deletedServers\":{\"present\":true,\"servers\":3,\"damage\":null}");
        assertThat(run("verify", dir.toString()).status).isEqualTo(RaDataTool.CLEAN);

        final Path file = dir.resolve("deleted-servers");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - 3);
        }
        assertThat(run("inspect", dir.toString()).out).contains("deleted-servers: 2 server(s)").contains("DAMAGED")
            .contains("beyond the file");
        final Run verify = run("verify", dir.toString());
        assertThat(verify.status).isEqualTo(RaDataTool.DAMAGED);
        assertThat(verify.out).contains(file + ":").contains("beyond the file");
    }

    @Test
    void dumpDecodesTheCommandsWithTheMachineGiven()
    {
        final Run run = run("dump", node("n3"), "--server", "kv@n3", "--from", "1", "--to", String.valueOf(
            COMMANDS + 10), "--machine", "dev.ra.testkit.KvMachine");
        assertThat(run.status).as(run.err).isZero();
        for (int i = 0; i < COMMANDS; i += 37)
        {
            assertThat(run.out).contains("command", "Put[key=k" + i + ", value=v" + i + ClusterData.PADDING + "]");
        }
        final int last = COMMANDS - 1;
        assertThat(run.out).contains("Put[key=k" + last + ", value=v" + last + ClusterData.PADDING + "]");
        assertThat(run.out).doesNotContain("DAMAGED");
        // Without a machine: a hex preview; the output is bounded by --limit.
        final Run raw = run("dump", node("n3"), "--server", "kv@n3", "--limit", "5");
        assertThat(raw.status).as(raw.err).isZero();
        assertThat(raw.out.lines().count()).isLessThanOrEqualTo(5);
        assertThat(raw.out).doesNotContain("Put[");
    }

    @Test
    void aFlippedByteInAWalEntryIsNamedWithItsFileAndOffset() throws IOException
    {
        final Path copy = damagedCopy();
        final DataDirectoryReader.WalFile wal = DataDirectoryReader.open(copy).walFiles().stream()
            .filter(w -> w.validEnd() > 20).findFirst().orElseThrow(() -> new AssertionError("no WAL data to damage"));
        // Inside the first record of the first batch (batch header 29 bytes, then the record's 29-byte header).
        flip(wal.path(), 20 + 29 + 29 + 3);
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.DAMAGED);
        assertThat(run.out).contains(wal.path().getFileName() + ":20: ");
        assertThat(assertInspectWorks(copy).out).contains("DAMAGED");
    }

    @Test
    void aNewestWalFileCutShortOfWhatTheMarkSaysWasDurableIsNamed() throws IOException
    {
        final Path copy = damagedCopy();
        final DataDirectoryReader.WalFile wal = DataDirectoryReader.open(copy).walFiles().stream()
            .filter(DataDirectoryReader.WalFile::newest).findFirst().orElseThrow();
        assertThat(wal.ended()).isTrue();
        // Without its end marker and the last bytes of its last batch: what a crash cannot do to synced data.
        try (RandomAccessFile file = new RandomAccessFile(wal.path().toFile(), "rw"))
        {
            file.setLength(wal.validEnd() - 5);
        }
        final DataDirectoryReader.WalFile cut = DataDirectoryReader.open(copy).walFiles().stream()
            .filter(DataDirectoryReader.WalFile::newest).findFirst().orElseThrow();
        assertThat(cut.tornTail()).isTrue();
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.DAMAGED);
        assertThat(run.out).contains(wal.path() + ":" + cut.validEnd() + ": valid data ends here but wal.mark " +
            "says it was synced and reported durable up to offset " + wal.validEnd());
        assertThat(assertInspectWorks(copy).out).contains("DAMAGED " + wal.path() + ":" + cut.validEnd());
    }

    @Test
    void aTruncatedSegmentIsNamedWithItsFileAndOffset() throws IOException
    {
        final Path copy = damagedCopy();
        final Path segment = firstFile(copy.resolve("servers/kv@n1/segments"), ".segment");
        final long size = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            file.setLength(size - 10);
        }
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.DAMAGED);
        assertThat(run.out).contains(segment + ":" + (size - 10 - 24) + ": segment trailer");
        assertThat(assertInspectWorks(copy).out).contains("DAMAGED");
    }

    @Test
    void aDeletedSegmentIsNamedAsEntriesMissingBeforeTheNextOne() throws IOException
    {
        final Path copy = damagedCopy();
        final List<Path> segments;
        try (Stream<Path> files = Files.list(copy.resolve("servers/kv@n1/segments")))
        {
            segments = files.sorted().toList();
        }
        assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
        Files.delete(segments.get(1));
        // Below the snapshot the missing entries are in it: what a crash during a retention pass may leave (it drops
        // several segments and syncs their directory once), which the server opens. Without the snapshot they are
        // missing.
        assertThat(run("verify", copy.toString()).status).isZero();
        try (Stream<Path> files = Files.list(copy.resolve("servers/kv@n1/snapshots")))
        {
            for (final Path snapshot : files.toList())
            {
                Files.delete(snapshot);
            }
        }
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.DAMAGED);
        assertThat(run.out).contains(segments.get(2) + ":0: entries ", " are missing");
        final Run dump = run("dump", copy.toString(), "--server", "kv@n1", "--from", "1", "--to", "200");
        assertThat(dump.status).as(dump.err).isZero();
        assertThat(dump.out).contains("MISSING");
        assertThat(assertInspectWorks(copy).out).contains("DAMAGED");
    }

    /**
     * A torn {@code server.id}: inspect showed "uid 0000000000000000", a uid no server has, while the meta files
     * record the server's (recovery tells the server's WAL records from an earlier incarnation's by it).
     */
    @Test
    void aTornIdentityShowsTheUidTheMetaFilesRecord() throws IOException
    {
        final Path copy = damagedCopy();
        final long uid = DataDirectoryReader.open(copy).servers().get(0).uid();
        try (RandomAccessFile file = new RandomAccessFile(copy.resolve("servers/kv@n1/server.id").toFile(), "rw"))
        {
            file.setLength(10);
        }
        final Run inspect = run("inspect", copy.toString());
        assertThat(inspect.status).as(inspect.err).isZero();
        assertThat(inspect.out).contains("server.id DAMAGED").doesNotContain("uid 0000000000000000")
            .contains(String.format("uid %016x (recorded in meta; server.id unreadable)", uid));
    }

    /**
     * Every server directory deleted while the WAL still holds their entries: verify said "clean". After
     * {@code Storage.delete} that is what the directory holds until the WAL file is recycled, so it is no damage; but
     * if the servers were not deleted their data is gone and the next start discards what the WAL holds of them:
     * an operator must be told.
     */
    @Test
    void walEntriesOfServersWithoutADirectoryAreNotClean() throws IOException
    {
        final Path copy = damagedCopy();
        assertThat(DataDirectoryReader.open(copy).walFiles()).anyMatch(w -> w.entriesByServer().containsKey("kv@n1"));
        deleteTree(copy.resolve("servers/kv@n1"));
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.CLEAN);
        assertThat(run.out).doesNotContain(": clean").contains("kv@n1", "no directory");
        // servers/ itself gone is never a deletion (Storage.delete leaves it).
        deleteTree(copy.resolve("servers"));
        final Run gone = run("verify", copy.toString());
        assertThat(gone.status).as(gone.out).isEqualTo(RaDataTool.DAMAGED);
        assertThat(gone.out).contains(copy.resolve("servers") + ":0: missing");
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    @Test
    void aDeletedMetaFileIsNamed() throws IOException
    {
        final Path copy = damagedCopy();
        final Path meta = copy.resolve("servers/kv@n1/meta");
        Files.delete(meta);
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.DAMAGED);
        assertThat(run.out).contains(meta + ":0: missing");
        final Run inspect = assertInspectWorks(copy);
        assertThat(inspect.out).contains("(read from meta.copy)", "DAMAGED");
    }

    @Test
    void aGarbledSnapshotIsNamedWithItsFileAndOffset() throws IOException
    {
        final Path copy = damagedCopy();
        final Path snapshot = firstFile(copy.resolve("servers/kv@n1/snapshots"), ".snapshot");
        final long size = Files.size(snapshot);
        flip(snapshot, size - 2);
        final Run run = run("verify", copy.toString());
        assertThat(run.status).as(run.out).isEqualTo(RaDataTool.DAMAGED);
        final Matcher damage = Pattern.compile(Pattern.quote(snapshot.toString()) + ":(\\d+): state checksum mismatch")
            .matcher(run.out);
        assertThat(damage.find()).as(run.out).isTrue();
        assertThat(Long.parseLong(damage.group(1))).isGreaterThan(32).isLessThan(size);
        assertThat(assertInspectWorks(copy).out).contains("DAMAGED");
    }

    @Test
    void theToolNeverModifiesTheDirectory() throws IOException
    {
        final Path copy = damagedCopy();
        final List<String> before = listing(copy);
        run("inspect", copy.toString());
        run("verify", copy.toString());
        run("dump", copy.toString(), "--server", "kv@n1");
        assertThat(listing(copy)).isEqualTo(before);
    }

    @Test
    void badArgumentsExitTwoWithAMessageAndNoStackTrace() throws IOException
    {
        final Run missing = run("verify", scratch.resolve("nowhere").toString());
        assertThat(missing.status).isEqualTo(RaDataTool.FAILED);
        assertThat(missing.err).contains("no such directory").doesNotContain("\tat ");
        final Run notData = run("inspect", scratch.toString());
        assertThat(notData.status).isEqualTo(RaDataTool.FAILED);
        assertThat(notData.err).contains("not a ra-log data directory");
        final Path file = scratch.resolve("a-file");
        Files.writeString(file, "not a directory");
        final Run aFile = run("inspect", file.toString());
        assertThat(aFile.status).isEqualTo(RaDataTool.FAILED);
        assertThat(aFile.err).contains(file + ": not a directory").doesNotContain("no such");
        final Run usage = run("verify");
        assertThat(usage.status).isEqualTo(RaDataTool.FAILED);
        assertThat(usage.err).contains("Missing required parameter");
        final Run noCommand = run();
        assertThat(noCommand.status).isEqualTo(RaDataTool.FAILED);
        final Run unknownServer = run("dump", node("n1"), "--server", "kv@n9");
        assertThat(unknownServer.status).isEqualTo(RaDataTool.FAILED);
        assertThat(unknownServer.err).contains("no server kv@n9").doesNotContain("\tat ");
        final Run badMachine = run("dump", node("n1"), "--server", "kv@n1", "--machine", "no.such.Machine");
        assertThat(badMachine.status).isEqualTo(RaDataTool.FAILED);
        assertThat(badMachine.err).contains("no such class").doesNotContain("\tat ");
    }

    /**
     * A range longer than --limit was cut at the limit without a word: the dump looked like the whole range.
     */
    @Test
    void aRangeLongerThanTheLimitSaysWhereItWasCut()
    {
        final Run run = run("dump", node("n3"), "--server", "kv@n3", "--from", "1", "--to", "50", "--limit", "10");

        assertThat(run.status).as(run.err).isZero();
        final List<String> lines = run.out.lines().toList();
        assertThat(lines).hasSize(11);
        assertThat(lines.get(9)).startsWith("10  term ");
        assertThat(lines.get(10)).startsWith("11..50  NOT PRINTED").contains("--limit 10");
    }

    /**
     * A start near the last index there can be: {@code from + limit - 1} overflowed to a negative last index, and the
     * dump answered "empty range 9223372036854775000..-9223372036854775617" for a range that is not empty.
     */
    @Test
    void aStartNearTheLargestIndexDumpsNothingFoundRatherThanAnEmptyRange()
    {
        final String from = String.valueOf(Long.MAX_VALUE - 807);
        final Run run = run("dump", node("n1"), "--server", "kv@n1", "--from", from);

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out).startsWith("no entries in " + from + ".." + Long.MAX_VALUE);
    }

    /**
     * A machine whose commands need a class that is not on the class path, or a run out of heap (the tool reads WAL
     * files whole): an Error escaped the tool, which printed a stack trace and exited 1, the status that says damage.
     */
    @Test
    void aClassMissingWhileDecodingIsOneLineAndStatusTwoNotTheStatusOfDamage()
    {
        final Run run = run("dump", node("n1"), "--server", "kv@n1", "--limit", "3", "--machine",
            MachineWithAMissingClass.class.getName());

        assertThat(run.status).as(run.err).isEqualTo(RaDataTool.FAILED);
        assertThat(run.err).contains("com/example/orders/Money").doesNotContain("\tat ");
        assertThat(run.err.lines()).hasSize(1);
    }

    /** Its commands decode to a class missing from the class path. */
    public static final class MachineWithAMissingClass implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state);
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return new Codec<>()
            {
                @Override
                public void encode(final Object value, final BufferWriter out)
                {
                    throw new UnsupportedOperationException("decode only");
                }

                @Override
                public Object decode(final BufferReader in)
                {
                    throw new NoClassDefFoundError("com/example/orders/Money");
                }
            };
        }
    }

    private Path damagedCopy()
    {
        final Path copy = scratch.resolve("copy");
        ClusterData.copy(root.resolve("n1"), copy);
        return copy;
    }

    private static Run assertInspectWorks(final Path copy)
    {
        final Run run = run("inspect", copy.toString());
        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out).contains("server kv@n1");
        return run;
    }

    private static void flip(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x5A);
        }
    }

    private static Path firstFile(final Path dir, final String suffix) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted().findFirst()
                .orElseThrow(() -> new AssertionError("no " + suffix + " in " + dir));
        }
    }

    private static List<String> listing(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.map(p ->
            {
                try
                {
                    return dir.relativize(p) + " " + (Files.isDirectory(p) ? "dir" : Files.size(p) + " " +
                        Files.getLastModifiedTime(p).toMillis());
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }).sorted().toList();
        }
    }
}
