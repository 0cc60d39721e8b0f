package dev.ra.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node accepts as its {@code data.dir} at start, before its storage creates anything there. A directory that
 * holds something else than Ra's data (a home directory, another program's data, a path mistyped to a neighbour's) is
 * refused: the storage would write its files among the others and the node would start with no servers, saying
 * nothing. A missing or empty directory is what a new node starts on, so it is used, and said so: it is also what a
 * node whose data was lost or moved looks like, and its members must then not be started again as if new
 * (docs/OPERATIONS.md, "The data directory").
 */
final class DataDirectoryCheck
{
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectoryCheck.class);
    /**
     * Directories ra-log's storage keeps at the top of its directory (docs/log-format.md, "Layout"): any one of them
     * marks the directory as Ra's. A file of one of these names does not: another program's list of servers, say.
     */
    private static final Set<String> RA_DIRECTORIES = Set.of("wal", "servers", "segment-spares");
    /** Files it keeps there, named so that no other program's are likely to be: any one marks it too. */
    private static final Set<String> RA_FILES = Set.of("wal.mark", "deleted-servers");
    /**
     * The lock, which the storage takes first: a first start that stopped right after it left only that. A file of
     * that name among others is no mark of Ra's: many programs keep one (/var/lib/dpkg, /var/lib/apt/lists).
     */
    private static final String LOCK = "lock";
    /** What a file system's own check puts at its root: a data directory on a disk of its own starts with it. */
    private static final String LOST_AND_FOUND = "lost+found";
    /** How many of a refused directory's entries its error names. */
    private static final int NAMED_ENTRIES = 5;

    private DataDirectoryCheck()
    {
    }

    /**
     * @param nodeId  of the node, for the log.
     * @param dataDir its data directory.
     * @throws IllegalArgumentException for a data directory that is not a directory, a link to nothing, cannot be
     *                                  listed, or is not empty and holds no Ra data, naming it.
     */
    static void check(final String nodeId, final Path dataDir)
    {
        if (!Files.exists(dataDir) && Files.isSymbolicLink(dataDir))
        {
            // Following it, the storage would fail to create it with only its path; the link's target may be a
            // volume not mounted, which the node must not create on the disk below.
            throw new IllegalArgumentException("data.dir " + dataDir + " is a symbolic link to " + linkTarget(dataDir) +
                ", which does not exist (a volume not mounted?): mount or create it, or set data.dir to a directory");
        }
        if (!Files.exists(dataDir))
        {
            LOG.info("{}: data.dir {} does not exist: creating it, and starting with no servers (a new node). If " +
                "this node ran members before, their data is not here: do not start them again as new members, " +
                "remove them from their clusters and add them back (docs/OPERATIONS.md, \"The data directory\")",
                nodeId, dataDir);
            return;
        }
        if (!Files.isDirectory(dataDir))
        {
            throw new IllegalArgumentException("data.dir " + dataDir + " is not a directory");
        }
        final List<String> names;
        try (Stream<Path> entries = Files.list(dataDir))
        {
            names = entries.map(entry -> entry.getFileName().toString()).filter(name -> !LOST_AND_FOUND.equals(name))
                .sorted().toList();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalArgumentException("data.dir " + dataDir + " cannot be listed: " + ex, ex);
        }
        if (names.isEmpty())
        {
            LOG.info("{}: data.dir {} is empty: starting with no servers (a new node). If this node ran members " +
                "before, their data is not here: do not start them again as new members, remove them from their " +
                "clusters and add them back (docs/OPERATIONS.md, \"The data directory\")", nodeId, dataDir);
            return;
        }
        if (!holdsRaData(dataDir, names))
        {
            throw new IllegalArgumentException("data.dir " + dataDir + " is not empty and holds no Ra data (" +
                String.join(", ", names.subList(0, Math.min(NAMED_ENTRIES, names.size()))) +
                (names.size() > NAMED_ENTRIES ? ", ... " + names.size() + " entries" : "") + "; no wal/ or servers/ " +
                "directory): it looks like another program's directory. Give the node a directory of its own: a " +
                "missing or empty one for a new node, the one it wrote for a restart");
        }
    }

    /**
     * @param names the directory's entries but lost+found.
     * @return whether they are, or include, what the storage writes.
     */
    private static boolean holdsRaData(final Path dataDir, final List<String> names)
    {
        if (names.equals(List.of(LOCK)))
        {
            return Files.isRegularFile(dataDir.resolve(LOCK));
        }
        return names.stream().anyMatch(name ->
            RA_DIRECTORIES.contains(name) && Files.isDirectory(dataDir.resolve(name)) ||
            RA_FILES.contains(name) && Files.isRegularFile(dataDir.resolve(name)));
    }

    private static String linkTarget(final Path link)
    {
        try
        {
            return Files.readSymbolicLink(link).toString();
        }
        catch (final IOException | RuntimeException ex)
        {
            return "a path that cannot be read (" + ex + ")";
        }
    }
}
