package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The child process of {@link CrashTest}: recovers the storage, then appends to many servers as fast as it can and
 * prints every durability report ({@code ACK server index term}) until it is killed. Stops by itself after a bound.
 */
public final class CrashWriterMain
{
    private CrashWriterMain()
    {
    }

    static String payload(final int server, final long index, final long term)
    {
        return "s" + server + "-i" + index + "-t" + term + "-" + "p".repeat((int)(index % 50));
    }

    /**
     * @param args data directory, number of servers, term to append with.
     */
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final int servers = Integer.parseInt(args[1]);
        final long term = Long.parseLong(args[2]);
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
            StandardCharsets.US_ASCII);
        final FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(2 << 20)
            .segmentMaxEntries(200).build();
        final LogStore[] logs = new LogStore[servers];
        for (int i = 0; i < servers; i++)
        {
            final int server = i;
            logs[i] = storage.open(new ServerId("s" + i, "crash"), new LogListener()
            {
                @Override
                public void onWritten(final long index, final long writtenTerm)
                {
                    synchronized (out)
                    {
                        out.println("ACK " + server + " " + index + " " + writtenTerm);
                    }
                }

                @Override
                public void onFailure(final Throwable cause)
                {
                    synchronized (out)
                    {
                        out.println("FAILED " + server + " " + cause);
                    }
                }
            }).log();
        }
        synchronized (out)
        {
            out.println("READY");
        }
        final long deadline = System.nanoTime() + 60_000_000_000L;
        final List<LogEntry> batch = new ArrayList<>();
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < servers; i++)
            {
                batch.clear();
                final long first = logs[i].lastIndex() + 1;
                final int count = 1 + ThreadLocalRandom.current().nextInt(20);
                for (long index = first; index < first + count; index++)
                {
                    batch.add(new LogEntry(index, term, index, UserCommand.ofData(Bytes.wrap(
                        payload(i, index, term).getBytes(StandardCharsets.US_ASCII)))));
                }
                logs[i].append(batch);
            }
            if (ThreadLocalRandom.current().nextInt(8) == 0)
            {
                Thread.onSpinWait();
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }
        storage.close();
        synchronized (out)
        {
            out.println("DONE");
        }
    }
}
