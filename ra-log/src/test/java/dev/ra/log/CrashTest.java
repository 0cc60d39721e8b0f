package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM appends to many servers and prints what it was told is durable; the test kills it with
 * SIGKILL at random moments, several rounds in a row, and checks after each that every acknowledged entry is there.
 */
class CrashTest
{
    private static final int SERVERS = 30;
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void acknowledgedEntriesSurviveKillMinusNine() throws Exception
    {
        final Random random = new Random();
        long totalAcked = 0;
        for (int round = 1; round <= ROUNDS; round++)
        {
            final long[] ackedIndex = new long[SERVERS];
            final long[] ackedTerm = new long[SERVERS];
            final Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "-Xmx256m",
                CrashWriterMain.class.getName(), dir.toString(), Integer.toString(SERVERS), Integer.toString(round))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final CountDownLatch ready = new CountDownLatch(1);
            final List<String> problems = new ArrayList<>();
            final Thread reader = new Thread(() -> readAcks(child, ready, ackedIndex, ackedTerm, problems));
            reader.start();
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("child ready in round %d", round).isTrue();
            Thread.sleep(100 + random.nextInt(1000));
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(60));
            synchronized (ackedIndex)
            {
                assertThat(problems).isEmpty();
                totalAcked += verify(ackedIndex, ackedTerm);
            }
        }
        assertThat(totalAcked).as("entries acknowledged over all rounds").isPositive();
    }

    private static void readAcks(final Process child, final CountDownLatch ready, final long[] ackedIndex,
        final long[] ackedTerm, final List<String> problems)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                if (line.equals("READY"))
                {
                    ready.countDown();
                }
                else if (line.startsWith("ACK "))
                {
                    final String[] parts = line.split(" ");
                    if (parts.length != 4)
                    {
                        continue; // the last line may be cut by the kill
                    }
                    final int server = Integer.parseInt(parts[1]);
                    synchronized (ackedIndex)
                    {
                        final long index = Long.parseLong(parts[2]);
                        if (index > ackedIndex[server])
                        {
                            ackedIndex[server] = index;
                            ackedTerm[server] = Long.parseLong(parts[3]);
                        }
                    }
                }
                else if (line.startsWith("FAILED"))
                {
                    synchronized (ackedIndex)
                    {
                        problems.add(line);
                    }
                }
            }
        }
        catch (final java.io.IOException | NumberFormatException ex)
        {
            // the pipe breaks when the child is killed; what was read is what counts
        }
        finally
        {
            ready.countDown();
        }
    }

    private long verify(final long[] ackedIndex, final long[] ackedTerm)
    {
        long acked = 0;
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            for (int i = 0; i < SERVERS; i++)
            {
                final ServerStorage server = storage.open(new ServerId("s" + i, "crash"), new RecordingListener());
                final LogStore log = server.log();
                assertThat(log.lastIndex()).as("server %d last index", i).isGreaterThanOrEqualTo(ackedIndex[i]);
                if (ackedIndex[i] > 0)
                {
                    assertThat(log.term(ackedIndex[i])).as("server %d term of acknowledged entry", i)
                        .isEqualTo(ackedTerm[i]);
                }
                final List<LogEntry> entries = new ArrayList<>();
                log.read(1, log.lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, entries);
                assertThat(entries).as("server %d entries", i).hasSize((int)log.lastIndex());
                long previousTerm = 0;
                for (final LogEntry e : entries)
                {
                    assertThat(TestEntries.text(e)).isEqualTo(CrashWriterMain.payload(i, e.index(), e.term()));
                    assertThat(e.term()).isGreaterThanOrEqualTo(previousTerm);
                    previousTerm = e.term();
                }
                acked += ackedIndex[i];
                server.close();
            }
        }
        return acked;
    }
}
