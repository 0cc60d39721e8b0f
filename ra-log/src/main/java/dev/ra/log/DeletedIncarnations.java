package dev.ra.log;

import dev.ra.ServerId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties a {@link FileStorage}'s record of a deletion to the data it is to delete ({@code Storage.unfinishedDeletions}):
 * each record names the uid of the server's directory when it was made (a random incarnation id written in its
 * {@code server.id}, new for a server created again under the id). After a restart the data stored under a recorded
 * id is the deleted server's exactly when its directory still has that uid: no log is read, and the cost at start is
 * one small {@code server.id} read per recorded id that holds data (a server created again, or a deletion left).
 */
final class DeletedIncarnations
{
    private static final Logger LOG = LoggerFactory.getLogger(DeletedIncarnations.class);

    /**
     * Where a server's directory is, and the directory if the storage has it loaded.
     *
     * @param root   of the directory.
     * @param loaded the directory, or null if not loaded (read from {@code root}).
     */
    record Stored(Path root, ServerDirectory loaded)
    {
    }

    private DeletedIncarnations()
    {
    }

    /**
     * @return the uid of the server's directory now, or 0 if it has none (or an unreadable one: the record then names
     *     no data, and data left by a crash is not told apart from a server created again).
     */
    static long uidNow(final FileLayer files, final Stored stored)
    {
        final ServerDirectory directory = directory(files, stored);
        return null == directory ? 0 : directory.uid();
    }

    /**
     * @param uids the uid each recorded server had (0: none named).
     * @return the recorded servers whose directory has the uid recorded.
     */
    static Set<ServerId> stillStored(final FileLayer files, final Map<ServerId, Long> uids,
        final Function<ServerId, Stored> where)
    {
        final Set<ServerId> left = new HashSet<>();
        uids.forEach((server, uid) ->
        {
            if (0 != uid)
            {
                final ServerDirectory directory = directory(files, where.apply(server));
                if (null != directory && directory.uid() == uid && directory.id().equals(server))
                {
                    left.add(server);
                }
            }
        });
        return left;
    }

    private static ServerDirectory directory(final FileLayer files, final Stored stored)
    {
        if (null != stored.loaded())
        {
            return stored.loaded();
        }
        try
        {
            return ServerDirectory.load(files, stored.root());
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("cannot read the identity of {} ({}): a deletion recorded for it names no data", stored.root(),
                ex.toString());
            return null;
        }
    }
}
