package dev.ra.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the log uses, and nothing more: the seam where tests inject crashes that lose
 * unsynced data, torn writes and bit flips. Implementations are thread-safe.
 */
interface FileLayer
{
    /**
     * Open a file for reading and writing.
     *
     * @param path   of the file.
     * @param create whether to create it if missing.
     * @return the open file.
     * @throws IOException if it cannot be opened (including missing when {@code create} is false).
     */
    LogFile open(Path path, boolean create) throws IOException;

    /**
     * Open a file, created if missing, for writes that bypass the page cache (direct I/O), when the file system has
     * them. Each write must start at a multiple of {@code alignment}, cover a multiple of it, and come from a direct
     * buffer whose address at its position is a multiple of it. A write is durable only AFTER {@link LogFile#force},
     * as any other; what it saves is copying the bytes into the page cache and writing them back later.
     *
     * @param path      of the file.
     * @param alignment of writes the caller will make (a power of two).
     * @return the open file, or null if direct writes of that alignment are not available for it (the caller then
     *     writes through {@link #open}).
     * @throws IOException if it cannot be opened or created.
     */
    default LogFile openDirect(final Path path, final int alignment) throws IOException
    {
        return null;
    }

    /**
     * @param dir to create with its missing parents; a no-op if it exists.
     * @throws IOException on failure.
     */
    void createDirectories(Path dir) throws IOException;

    /**
     * @param dir to list.
     * @return the names (not paths) of its entries, files and directories, in no particular order; empty if the
     *     path does not exist or is not a directory.
     * @throws IOException on failure.
     */
    List<String> list(Path dir) throws IOException;

    /**
     * @param path of a file or directory.
     * @return whether it exists.
     */
    boolean exists(Path path);

    /**
     * @param path of a file.
     * @return how many names the file has (hard links), or 1 where the file system does not say.
     * @throws IOException if it cannot be read.
     */
    default int linkCount(final Path path) throws IOException
    {
        return 1;
    }

    /**
     * @param path of a file or empty directory to delete; a no-op if missing.
     * @throws IOException on failure.
     */
    void delete(Path path) throws IOException;

    /**
     * Atomically rename, replacing the target if it exists. Durable only AFTER {@link #syncDirectory} of the target's
     * directory.
     *
     * @param from source path.
     * @param to   target path.
     * @throws IOException on failure.
     */
    void move(Path from, Path to) throws IOException;

    /**
     * Take an exclusive lock on a file (created if missing), so that two storages never share a directory.
     *
     * @param path of the lock file.
     * @return what releases the lock when closed.
     * @throws IOException on failure.
     * @throws IllegalStateException if another process or storage holds the lock.
     */
    Closeable lock(Path path) throws IOException;

    /**
     * Make the directory's entries (creates, renames, deletes) durable.
     *
     * @param dir to sync.
     * @throws IOException on failure.
     */
    void syncDirectory(Path dir) throws IOException;
}
