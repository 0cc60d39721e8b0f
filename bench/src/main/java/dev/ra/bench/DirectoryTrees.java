package dev.ra.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Deleting the data directories the figures make: children before their parents.
 */
public final class DirectoryTrees
{
    private DirectoryTrees()
    {
    }

    /**
     * @param root a directory to delete with everything in it (nothing happens if it does not exist).
     * @throws IOException if something in it cannot be deleted.
     */
    public static void delete(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        final List<Path> deepestFirst;
        try (Stream<Path> walk = Files.walk(root))
        {
            deepestFirst = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (final Path p : deepestFirst)
        {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Delete what can be deleted, after a figure: a file left behind in a temporary directory must not fail the
     * figure that measured it.
     *
     * @param root a directory to delete with everything in it.
     */
    public static void deleteQuietly(final Path root)
    {
        try
        {
            delete(root);
        }
        catch (final IOException ex)
        {
            // best effort: what is left is in a temporary directory
        }
    }
}
