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
        for (final Path p : deepestFirst(root))
        {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Delete what can be deleted, after a figure: a file left behind in a temporary directory must not fail the
     * figure that measured it, nor keep the rest of the directory from being deleted.
     *
     * @param root a directory to delete with everything in it.
     */
    public static void deleteQuietly(final Path root)
    {
        try
        {
            for (final Path p : deepestFirst(root))
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    // best effort: the rest is still deleted, what is left is in a temporary directory
                }
            }
        }
        catch (final IOException ex)
        {
            // the directory cannot be walked: nothing more to do for a temporary directory
        }
    }

    private static List<Path> deepestFirst(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            return walk.sorted(Comparator.reverseOrder()).toList();
        }
    }
}
