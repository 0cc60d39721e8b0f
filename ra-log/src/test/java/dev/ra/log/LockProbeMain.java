package dev.ra.log;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a process of its own: tries the lock of a file as another node would, and exits with {@link #TAKEN} if it
 * got it, {@link #HELD} if another process holds it. Only another process sees whether a JVM still holds its lock
 * (record locks belong to the process).
 */
final class LockProbeMain
{
    static final int TAKEN = 0;
    static final int HELD = 3;

    private LockProbeMain()
    {
    }

    /**
     * @param args the lock file.
     * @throws Exception if the file cannot be opened.
     */
    public static void main(final String[] args) throws Exception
    {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE))
        {
            final FileLock lock = channel.tryLock();
            System.exit(null == lock ? HELD : TAKEN);
        }
    }
}
