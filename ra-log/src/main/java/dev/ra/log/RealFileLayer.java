package dev.ra.log;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real file system through {@link FileChannel}. Thread-safe; it remembers only block sizes and the lock files this
 * JVM holds.
 */
final class RealFileLayer implements FileLayer
{
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    /** The single instance. */
    static final RealFileLayer INSTANCE = new RealFileLayer();

    /** Block size by device number: as many entries as file systems the storages of this JVM use. */
    private static final Map<Object, Long> BLOCK_SIZES = new ConcurrentHashMap<>();
    /**
     * The lock files the storages of this JVM hold, by file key (device and inode; the real path where there is
     * none). A second storage of a directory in use here is refused before it opens the lock file: record locks
     * belong to the process, and closing any descriptor of the file drops them all, the first storage's included.
     */
    private static final Set<Object> HELD_LOCKS = new HashSet<>();

    private RealFileLayer()
    {
    }

    @Override
    public LogFile open(final Path path, final boolean create) throws IOException
    {
        final FileChannel channel = create ?
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE) :
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ChannelFile(channel);
    }

    @Override
    public LogFile openDirect(final Path path, final int alignment) throws IOException
    {
        if (blockSize(path.getParent()) > alignment)
        {
            return null;
        }
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, ExtendedOpenOption.DIRECT);
        }
        catch (final UnsupportedOperationException | IOException ex)
        {
            // EINVAL from open(2) where the file system has no direct I/O (tmpfs before Linux 6.6, some network file
            // systems); the caller then writes through the file it opened normally, where any real failure shows.
            return null;
        }
        return new ChannelFile(channel);
    }

    /**
     * The block size of the file system holding {@code dir}: looked up once per device (finding a path's file store
     * reads the mount table, too slow to do for every segment).
     */
    private static long blockSize(final Path dir) throws IOException
    {
        final Object device;
        try
        {
            device = Files.getAttribute(dir, "unix:dev");
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            return Long.MAX_VALUE; // not a Unix file system: no direct I/O, segments go through the page cache
        }
        final Long known = BLOCK_SIZES.get(device);
        if (null != known)
        {
            return known;
        }
        long size;
        try
        {
            size = Files.getFileStore(dir).getBlockSize();
        }
        catch (final UnsupportedOperationException ex)
        {
            size = Long.MAX_VALUE; // unknown: no direct I/O
        }
        BLOCK_SIZES.put(device, size);
        return size;
    }

    /**
     * Directories made here are the owner's only where the file system has POSIX permissions: the log holds every
     * command the application replicated, which other users of the machine have no business reading (with the
     * default umask they could). Directories that exist already keep their permissions.
     */
    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.createDirectories(dir, OWNER_ONLY);
        }
        else
        {
            Files.createDirectories(dir);
        }
    }

    @Override
    public List<String> list(final Path dir) throws IOException
    {
        final List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path p : stream)
            {
                names.add(p.getFileName().toString());
            }
        }
        catch (final NoSuchFileException | NotDirectoryException ignored)
        {
            // a missing directory, or a plain file, has no entries
        }
        return names;
    }

    @Override
    public boolean exists(final Path path)
    {
        return Files.exists(path);
    }

    @Override
    public int linkCount(final Path path) throws IOException
    {
        try
        {
            return (Integer)Files.getAttribute(path, "unix:nlink");
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            return 1;
        }
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        Files.deleteIfExists(path);
    }

    @Override
    public void move(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public Closeable lock(final Path path) throws IOException
    {
        synchronized (HELD_LOCKS)
        {
            if (Files.exists(path) && HELD_LOCKS.contains(lockKey(path)))
            {
                throw new IllegalStateException(path.getParent() + " is already used by another storage in this JVM");
            }
            final Closeable channel = hold(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                path);
            final Object key;
            try
            {
                key = lockKey(path);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw new IOException(path + ": cannot identify the lock file: " + ex.getMessage(), ex);
            }
            HELD_LOCKS.add(key);
            return new HeldLock(key, channel);
        }
    }

    private static Object lockKey(final Path path) throws IOException
    {
        final Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        return null == key ? path.toRealPath() : key;
    }

    /** A lock file's lock, held until closed (once: a second close must not forget a lock taken again since). */
    private static final class HeldLock implements Closeable
    {
        private final Object key;
        private final Closeable channel;
        private boolean released;

        HeldLock(final Object key, final Closeable channel)
        {
            this.key = key;
            this.channel = channel;
        }

        @Override
        public void close() throws IOException
        {
            synchronized (HELD_LOCKS)
            {
                if (released)
                {
                    return;
                }
                released = true;
                HELD_LOCKS.remove(key);
                channel.close();
            }
        }
    }

    /**
     * Take the lock of an open channel.
     *
     * @param channel of the lock file, closed unless the lock is taken, whatever the failure.
     * @param path    of the lock file.
     * @return what releases the lock (closes the channel).
     * @throws IllegalStateException if another storage holds the lock.
     * @throws IOException naming the file if the lock cannot be taken (a file system without locks).
     */
    static Closeable hold(final FileChannel channel, final Path path) throws IOException
    {
        boolean locked = false;
        try
        {
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw new IllegalStateException(path.getParent() + " is already used by another storage in this JVM",
                    ex);
            }
            catch (final IOException ex)
            {
                throw new IOException(path + ": lock failed: " + ex.getMessage(), ex);
            }
            if (null == lock)
            {
                throw new IllegalStateException(path.getParent() + " is already used by another process");
            }
            locked = true;
            return channel::close;
        }
        finally
        {
            if (!locked)
            {
                channel.close();
            }
        }
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        // Opening a directory for reading and calling force is how the JDK exposes fsync on a directory (Linux).
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * Read from {@code position} until {@code dst} is full or the file ends.
     *
     * @return the number of bytes read.
     */
    static int readAt(final FileChannel channel, final ByteBuffer dst, final long position) throws IOException
    {
        int total = 0;
        long at = position;
        while (dst.hasRemaining())
        {
            final int n = channel.read(dst, at);
            if (n < 0)
            {
                break;
            }
            total += n;
            at += n;
        }
        return total;
    }

    private static final class ChannelFile implements LogFile
    {
        private final FileChannel channel;

        ChannelFile(final FileChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return readAt(channel, dst, position);
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            long at = position;
            while (src.hasRemaining())
            {
                at += channel.write(src, at);
            }
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            channel.truncate(size);
        }

        @Override
        public void force() throws IOException
        {
            channel.force(false);
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
