package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory file system that remembers what is durable, for crash tests.
 *
 * <p>File data becomes durable only on {@link LogFile#force()}; names (create, rename, delete) only on
 * {@link FileLayer#syncDirectory} of their directory; directories themselves are durable at once. {@link #crash}
 * throws away everything not durable, optionally keeping a random prefix of the unsynced writes of each file with the
 * last one torn (and its bytes garbled). A write over existing bytes (a recycled WAL file) that is torn leaves the old
 * bytes after the tear. Bit flips and truncations damage durable data on demand, {@link #failWritesAfter} simulates a
 * full disk, and {@link #crashAfterOperations} crashes at an exact point: between any two steps of a rollover, a
 * flush or a recycling. With {@link #reorderNames}, a crash also keeps any subset of the name changes not yet synced.
 *
 * <p>Each {@link #view()} belongs to one "boot": after a crash, every operation through an older view fails, as the
 * threads of a crashed process would never run again.
 */
final class FaultyFileLayer
{
    private final Object lock = new Object();
    private final Map<Path, Inode> names = new HashMap<>();
    private final Map<Path, Inode> durableNames = new HashMap<>();
    private final Set<Path> directories = new HashSet<>();
    private int boot;
    private long writesBeforeFailure = Long.MAX_VALUE;
    private long operationsBeforeCrash = Long.MAX_VALUE;
    private Random crashRandom;
    private boolean crashTear;
    private boolean crashGarbage;
    private int crashes;
    private boolean reorderNames;
    private final StringBuilder nameJournal = new StringBuilder();
    private final ArrayDeque<String> crashJournal = new ArrayDeque<>();

    private static final class Inode
    {
        byte[] data = new byte[0];
        int length;
        byte[] durable = new byte[0];
        final List<Object> unsynced = new ArrayList<>();
    }

    private record Write(long position, byte[] bytes)
    {
    }

    private record Truncate(long size)
    {
    }

    /**
     * @return a file layer for the current boot.
     */
    FileLayer view()
    {
        synchronized (lock)
        {
            return new View(boot);
        }
    }

    /**
     * Simulate a power loss: unsynced data and names are lost, except a random prefix of each file's unsynced writes
     * which survives, the last of them possibly torn.
     *
     * @param random  source of the choices.
     * @param tear    whether writes may survive partially.
     * @param garbage whether a torn write's surviving bytes may be garbled.
     */
    void crash(final Random random, final boolean tear, final boolean garbage)
    {
        synchronized (lock)
        {
            boot++;
            crashes++;
            writesBeforeFailure = Long.MAX_VALUE;
            operationsBeforeCrash = Long.MAX_VALUE;
            if (reorderNames)
            {
                persistSomeNameChanges(random);
            }
            names.clear();
            names.putAll(durableNames);
            // In the order of their names, not of identity hashes: the same files draw the same random choices.
            final Map<Inode, Path> inodes = new LinkedHashMap<>();
            new TreeMap<>(names).forEach((path, inode) -> inodes.putIfAbsent(inode, path));
            final StringBuilder journal = new StringBuilder("crash ").append(crashes).append(':');
            for (final Map.Entry<Inode, Path> named : inodes.entrySet())
            {
                final Inode inode = named.getKey();
                byte[] content = inode.durable.clone();
                final int keep = inode.unsynced.isEmpty() ? 0 : random.nextInt(inode.unsynced.size() + 1);
                String torn = "";
                for (int i = 0; i < inode.unsynced.size() && i <= keep; i++)
                {
                    final Object op = inode.unsynced.get(i);
                    if (i < keep)
                    {
                        content = apply(content, op);
                    }
                    else if (tear && op instanceof Write w && w.bytes.length > 1)
                    {
                        final boolean prefix = random.nextBoolean();
                        content = prefix ? tearPrefix(content, w, random, garbage) : tearSectors(content, w, random);
                        torn = ", the next (" + w.bytes.length + " bytes at " + w.position + ") torn " +
                            (prefix ? "to a prefix" + (garbage ? ", garbled" : "") : "by sectors");
                    }
                }
                if (!inode.unsynced.isEmpty())
                {
                    journal.append("\n  ").append(named.getValue()).append(": kept ").append(keep).append(" of ")
                        .append(inode.unsynced.size()).append(" unsynced writes").append(torn).append(", now ")
                        .append(content.length).append(" bytes, starting ").append(hex(content, 24));
                }
                inode.unsynced.clear();
                inode.durable = content;
                inode.data = content.clone();
                inode.length = content.length;
            }
            journal.append(nameJournal);
            nameJournal.setLength(0);
            crashJournal.addLast(journal.toString());
            while (crashJournal.size() > 2)
            {
                crashJournal.removeFirst();
            }
        }
    }

    /**
     * @return what the last two crashes kept of what was not durable (unsynced writes, torn writes, name changes),
     *     to diagnose a failure that thread timing does not let a seed reproduce.
     */
    String crashJournal()
    {
        synchronized (lock)
        {
            return String.join("\n", crashJournal);
        }
    }

    /**
     * @param dir whose files to describe.
     * @return each file directly in it with its size and its first bytes, sorted by name.
     */
    String describeFiles(final Path dir)
    {
        synchronized (lock)
        {
            final StringBuilder out = new StringBuilder();
            new TreeMap<>(names).forEach((path, inode) ->
            {
                if (dir.equals(path.getParent()))
                {
                    out.append("\n  ").append(path).append(' ').append(inode.length).append(" bytes, starting ")
                        .append(hex(Arrays.copyOf(inode.data, inode.length), 24));
                }
            });
            return out.toString();
        }
    }

    private static String hex(final byte[] content, final int max)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(max, content.length); i++)
        {
            out.append(String.format("%02x", content[i]));
        }
        return out.toString();
    }

    /**
     * Let crashes persist any subset of the name changes (create, rename, delete) not yet made durable by a directory
     * sync, each independently, as a file system may write them out in any order before the sync; by default a crash
     * keeps none of them.
     *
     * @param reorder whether to.
     */
    void reorderNames(final boolean reorder)
    {
        synchronized (lock)
        {
            reorderNames = reorder;
        }
    }

    private void persistSomeNameChanges(final Random random)
    {
        final Set<Path> changed = new HashSet<>(names.keySet());
        changed.addAll(durableNames.keySet());
        final List<Path> sorted = new ArrayList<>(changed);
        sorted.sort(null);
        for (final Path path : sorted)
        {
            final Inode now = names.get(path);
            if (now != durableNames.get(path) && random.nextBoolean())
            {
                nameJournal.append("\n  kept ").append(null == now ? "the removal of " : "the name ").append(path);
                if (null == now)
                {
                    durableNames.remove(path);
                }
                else
                {
                    durableNames.put(path, now);
                }
            }
        }
    }

    /** The write stopped part-way: a prefix survives, possibly garbled. */
    private static byte[] tearPrefix(final byte[] content, final Write w, final Random random, final boolean garbage)
    {
        final byte[] part = Arrays.copyOf(w.bytes, random.nextInt(w.bytes.length));
        if (garbage && part.length > 0)
        {
            part[random.nextInt(part.length)] ^= (byte)(1 << random.nextInt(8));
        }
        return apply(content, new Write(w.position, part));
    }

    /**
     * The device persisted some 512-byte sectors of the write and not others, in no particular order: over a recycled
     * file the old bytes stay in between.
     */
    private static byte[] tearSectors(final byte[] content, final Write w, final Random random)
    {
        byte[] out = content;
        for (int from = 0; from < w.bytes.length; from += 512)
        {
            if (random.nextBoolean())
            {
                final byte[] sector = Arrays.copyOfRange(w.bytes, from, Math.min(w.bytes.length, from + 512));
                out = apply(out, new Write(w.position + from, sector));
            }
        }
        return out;
    }

    private static byte[] apply(final byte[] content, final Object op)
    {
        if (op instanceof Write w)
        {
            final int end = (int)w.position + w.bytes.length;
            final byte[] out = end > content.length ? Arrays.copyOf(content, end) : content.clone();
            System.arraycopy(w.bytes, 0, out, (int)w.position, w.bytes.length);
            return out;
        }
        final Truncate t = (Truncate)op;
        return t.size < content.length ? Arrays.copyOf(content, (int)t.size) : content;
    }

    /**
     * Flip one bit of a file, durably.
     *
     * @param path   of the file.
     * @param offset byte offset.
     * @param bit    0..7.
     */
    void flipBit(final Path path, final long offset, final int bit)
    {
        synchronized (lock)
        {
            final Inode inode = inode(path);
            inode.data[(int)offset] ^= (byte)(1 << bit);
            inode.durable = Arrays.copyOf(inode.data, inode.length);
        }
    }

    /**
     * Cut a file, durably.
     *
     * @param path of the file.
     * @param size new size.
     */
    void truncate(final Path path, final long size)
    {
        synchronized (lock)
        {
            final Inode inode = inode(path);
            inode.length = (int)Math.min(size, inode.length);
            inode.durable = Arrays.copyOf(inode.data, inode.length);
        }
    }

    /**
     * Replace a file's content, durably.
     *
     * @param path    of the file.
     * @param content new content.
     */
    void overwrite(final Path path, final byte[] content)
    {
        synchronized (lock)
        {
            final Inode inode = inode(path);
            inode.data = content.clone();
            inode.length = content.length;
            inode.durable = content.clone();
        }
    }

    /**
     * Delete a file, durably.
     *
     * @param path of the file.
     */
    void remove(final Path path)
    {
        synchronized (lock)
        {
            names.remove(path);
            durableNames.remove(path);
        }
    }

    /**
     * @param path of a file.
     * @return its current size.
     */
    long size(final Path path)
    {
        synchronized (lock)
        {
            return inode(path).length;
        }
    }

    /**
     * @param dir to list.
     * @return the paths of the files directly in it, sorted.
     */
    List<Path> files(final Path dir)
    {
        synchronized (lock)
        {
            final List<Path> out = new ArrayList<>();
            for (final Path p : names.keySet())
            {
                if (dir.equals(p.getParent()))
                {
                    out.add(p);
                }
            }
            out.sort(null);
            return out;
        }
    }

    /**
     * Crash (as {@link #crash}) instead of performing the operation after the next {@code operations} operations that
     * change files or names: create, write, truncate, sync, rename, delete, directory sync. The thread attempting it
     * gets an I/O error, as the crashed process's threads would never run again.
     *
     * @param operations to let through first.
     * @param random     source of the crash's choices.
     * @param tear       whether writes may survive partially.
     * @param garbage    whether a torn write's surviving bytes may be garbled.
     */
    void crashAfterOperations(final long operations, final Random random, final boolean tear, final boolean garbage)
    {
        synchronized (lock)
        {
            operationsBeforeCrash = operations;
            crashRandom = random;
            crashTear = tear;
            crashGarbage = garbage;
        }
    }

    /**
     * @return how many crashes happened so far (by {@link #crash} or {@link #crashAfterOperations}).
     */
    int crashes()
    {
        synchronized (lock)
        {
            return crashes;
        }
    }

    /**
     * Make writes fail with "No space left on device" after {@code writes} more writes.
     *
     * @param writes allowed before failing.
     */
    void failWritesAfter(final long writes)
    {
        synchronized (lock)
        {
            writesBeforeFailure = writes;
        }
    }

    private Inode inode(final Path path)
    {
        final Inode inode = names.get(path);
        if (null == inode)
        {
            throw new IllegalArgumentException("no file " + path);
        }
        return inode;
    }

    private final class View implements FileLayer
    {
        private final int viewBoot;

        View(final int viewBoot)
        {
            this.viewBoot = viewBoot;
        }

        private void check() throws IOException
        {
            if (viewBoot != boot)
            {
                throw new IOException("simulated crash: this process is dead");
            }
        }

        /** Called with the lock held before an operation that changes files or names. */
        private void checkMutation() throws IOException
        {
            check();
            if (operationsBeforeCrash-- <= 0)
            {
                crash(crashRandom, crashTear, crashGarbage);
                throw new IOException("simulated crash at this operation");
            }
        }

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            synchronized (lock)
            {
                check();
                Inode inode = names.get(path);
                if (null == inode)
                {
                    if (!create)
                    {
                        throw new NoSuchFileException(path.toString());
                    }
                    if (!directories.contains(path.getParent()))
                    {
                        throw new NoSuchFileException(path.getParent().toString());
                    }
                    checkMutation();
                    inode = new Inode();
                    names.put(path, inode);
                }
                return new File(inode);
            }
        }

        /**
         * Direct writes are modelled as any other (durable only once synced), and held to direct I/O's rules: a
         * write that a real file system would refuse fails here too.
         */
        @Override
        public LogFile openDirect(final Path path, final int alignment) throws IOException
        {
            final LogFile file = open(path, true);
            return new ForwardingLogFile(file)
            {
                @Override
                public void write(final ByteBuffer src, final long position) throws IOException
                {
                    if (!src.isDirect() || position % alignment != 0 || src.remaining() % alignment != 0 ||
                        src.position() % alignment != 0)
                    {
                        throw new IOException("direct write not aligned to " + alignment + ": position " + position +
                            ", " + src.remaining() + " bytes from buffer offset " + src.position());
                    }
                    super.write(src, position);
                }
            };
        }

        @Override
        public void createDirectories(final Path dir) throws IOException
        {
            synchronized (lock)
            {
                check();
                for (Path p = dir; null != p; p = p.getParent())
                {
                    directories.add(p);
                }
            }
        }

        @Override
        public List<String> list(final Path dir) throws IOException
        {
            synchronized (lock)
            {
                check();
                final Set<String> out = new HashSet<>();
                for (final Path p : names.keySet())
                {
                    if (dir.equals(p.getParent()))
                    {
                        out.add(p.getFileName().toString());
                    }
                }
                for (final Path p : directories)
                {
                    if (dir.equals(p.getParent()))
                    {
                        out.add(p.getFileName().toString());
                    }
                }
                return new ArrayList<>(out);
            }
        }

        @Override
        public boolean exists(final Path path)
        {
            synchronized (lock)
            {
                return names.containsKey(path) || directories.contains(path);
            }
        }

        @Override
        public int linkCount(final Path path) throws IOException
        {
            // A file keeps both ends of a rename when a crash wrote out only one of them (reorderNames, or the two
            // directories synced apart); SegmentSpares relies on a file system reporting that, as a real one does.
            synchronized (lock)
            {
                check();
                final Inode inode = names.get(path);
                if (null == inode)
                {
                    throw new NoSuchFileException(path.toString());
                }
                int links = 0;
                for (final Inode named : names.values())
                {
                    links += named == inode ? 1 : 0;
                }
                return links;
            }
        }

        @Override
        public void delete(final Path path) throws IOException
        {
            synchronized (lock)
            {
                checkMutation();
                if (null == names.remove(path))
                {
                    boolean empty = true;
                    for (final Path p : names.keySet())
                    {
                        empty &= !path.equals(p.getParent());
                    }
                    if (empty)
                    {
                        directories.remove(path);
                    }
                }
            }
        }

        @Override
        public void move(final Path from, final Path to) throws IOException
        {
            synchronized (lock)
            {
                checkMutation();
                final Inode inode = names.get(from);
                if (null == inode)
                {
                    throw new NoSuchFileException(from.toString());
                }
                if (names.get(to) == inode)
                {
                    // rename(2) between two names of one file does nothing: both stay (a crash may have left them).
                    return;
                }
                names.remove(from);
                names.put(to, inode);
            }
        }

        @Override
        public java.io.Closeable lock(final Path path)
        {
            // one process per simulated disk: nothing to exclude
            return () ->
            {
            };
        }

        @Override
        public void syncDirectory(final Path dir) throws IOException
        {
            synchronized (lock)
            {
                checkMutation();
                durableNames.keySet().removeIf(p -> dir.equals(p.getParent()) && !names.containsKey(p));
                for (final Map.Entry<Path, Inode> e : names.entrySet())
                {
                    if (dir.equals(e.getKey().getParent()))
                    {
                        durableNames.put(e.getKey(), e.getValue());
                    }
                }
            }
        }

        private final class File implements LogFile
        {
            private final Inode inode;

            File(final Inode inode)
            {
                this.inode = inode;
            }

            @Override
            public int read(final ByteBuffer dst, final long position) throws IOException
            {
                synchronized (lock)
                {
                    check();
                    final int available = (int)Math.max(0, Math.min(dst.remaining(), inode.length - position));
                    if (available > 0)
                    {
                        dst.put(inode.data, (int)position, available);
                    }
                    return available;
                }
            }

            @Override
            public void write(final ByteBuffer src, final long position) throws IOException
            {
                synchronized (lock)
                {
                    checkMutation();
                    if (writesBeforeFailure-- <= 0)
                    {
                        throw new IOException("No space left on device (simulated)");
                    }
                    final byte[] bytes = new byte[src.remaining()];
                    src.get(bytes);
                    final int end = (int)position + bytes.length;
                    if (end > inode.data.length)
                    {
                        inode.data = Arrays.copyOf(inode.data, Math.max(end, inode.data.length * 2));
                    }
                    if (position > inode.length)
                    {
                        Arrays.fill(inode.data, inode.length, (int)position, (byte)0);
                    }
                    System.arraycopy(bytes, 0, inode.data, (int)position, bytes.length);
                    inode.length = Math.max(inode.length, end);
                    inode.unsynced.add(new Write(position, bytes));
                }
            }

            @Override
            public long size() throws IOException
            {
                synchronized (lock)
                {
                    check();
                    return inode.length;
                }
            }

            @Override
            public void truncate(final long size) throws IOException
            {
                synchronized (lock)
                {
                    checkMutation();
                    if (size < inode.length)
                    {
                        inode.length = (int)size;
                        inode.unsynced.add(new Truncate(size));
                    }
                }
            }

            @Override
            public void force() throws IOException
            {
                synchronized (lock)
                {
                    checkMutation();
                    inode.durable = Arrays.copyOf(inode.data, inode.length);
                    inode.unsynced.clear();
                }
            }

            @Override
            public void close()
            {
                // nothing to release
            }
        }
    }
}
