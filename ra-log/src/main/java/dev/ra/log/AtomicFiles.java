package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Whole-file helpers: write a file so that a crash leaves either the old or the new version (temporary file, sync,
 * rename, sync the directory), and read a small file whole.
 */
final class AtomicFiles
{
    /** Suffix of files being written; any left at startup are the debris of a crash and are deleted. */
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles()
    {
    }

    /**
     * Durably write {@code target}, replacing it if present; returns AFTER the content and the rename are synced.
     *
     * @param files   the file layer.
     * @param target  final path.
     * @param content bytes to write, from position to limit.
     * @throws IOException on failure; the target is then unchanged.
     */
    static void write(final FileLayer files, final Path target, final ByteBuffer content) throws IOException
    {
        final Path temp = temporary(target);
        try (LogFile file = files.open(temp, true))
        {
            file.truncate(0);
            file.write(content, 0);
            file.force();
        }
        files.move(temp, target);
        files.syncDirectory(target.getParent());
    }

    /**
     * @param target final path of a file.
     * @return where it is written before it is durable under that name.
     */
    static Path temporary(final Path target)
    {
        return target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    }

    /**
     * @param files the file layer.
     * @param path  of the file.
     * @param limit largest size accepted.
     * @return the whole content.
     * @throws IOException if it cannot be read.
     * @throws IllegalStateException if it is larger than {@code limit}.
     */
    static byte[] readAll(final FileLayer files, final Path path, final long limit) throws IOException
    {
        try (LogFile file = files.open(path, false))
        {
            final long size = file.size();
            if (size > limit)
            {
                throw Formats.corrupt(path, 0, "size " + size + " exceeds the limit of " + limit + " bytes");
            }
            final ByteBuffer buffer = ByteBuffer.allocate((int)size);
            file.read(buffer, 0);
            return buffer.array();
        }
    }

    /**
     * Delete the crash debris of {@link #write} in a directory.
     *
     * @param files the file layer.
     * @param dir   to clean.
     * @throws IOException on failure.
     */
    static void deleteTemporaries(final FileLayer files, final Path dir) throws IOException
    {
        for (final String name : files.list(dir))
        {
            if (name.endsWith(TEMP_SUFFIX))
            {
                files.delete(dir.resolve(name));
            }
        }
    }
}
