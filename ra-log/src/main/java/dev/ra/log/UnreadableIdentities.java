package dev.ra.log;

import dev.ra.ServerId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server directories whose identity file ({@code server.id}) is there but unreadable (a bit flip, a cut file) while
 * the directory holds data, so that it is no debris of an interrupted create ({@link ServerDirectory#loadUnlessDebris};
 * a directory without {@code server.id}, an interrupted delete, is not one of them either).
 *
 * <p>At start-up the WAL replay does not flush the records naming such a directory into it: their uid cannot be
 * checked against an identity that cannot be read, so they may belong to an earlier incarnation of the directory. The
 * replay goes on for every other server. Before the WAL file holding the records can be recycled (the replay looks
 * its targets up before it writes or recycles anything), where they left the server's log is recorded in the
 * directory's meta store as storage damage (docs/log-format.md, "Damaged storage"), durably: if {@code server.id} is
 * restored, the server opens reporting that its log lost entries it may have acknowledged, and does not vote until a
 * leader has re-replicated them. Until then its {@code open()} fails, naming the file and what to do.
 *
 * <p>Start-up and open code only: the WAL's write path never comes here. Thread-safe.
 */
final class UnreadableIdentities
{
    private static final Logger LOG = LoggerFactory.getLogger(UnreadableIdentities.class);

    private final FileLayer files;
    /** What the replay of this start left out, by directory name. */
    private final Map<String, Dropped> dropped = new ConcurrentHashMap<>();

    /**
     * The records of one directory left out by this start's replay.
     *
     * @param priorIndex damage recorded before this start (0: none), kept unless the records go further.
     * @param priorTerm  its term.
     * @param lastIndex  where the records left the log (its last entry).
     * @param lastTerm   that entry's term.
     */
    private record Dropped(long priorIndex, long priorTerm, long lastIndex, long lastTerm)
    {
    }

    /**
     * @param files the file layer.
     */
    UnreadableIdentities(final FileLayer files)
    {
        this.files = files;
    }

    /**
     * Look up the directory a WAL record names, at start-up. An unreadable identity leaves the records out, with the
     * damage recorded durably before this returns.
     *
     * @param root   the directory the records name.
     * @param replay what one WAL file holds for it.
     * @return the directory, or null if there is none (debris) or its identity is unreadable.
     * @throws IOException on failure to read, or to record the damage.
     * @throws UnsupportedFormatException if a file is of a newer format (nothing is left out then).
     */
    ServerDirectory loadForReplay(final Path root, final ServerReplay replay) throws IOException
    {
        try
        {
            // Not loadUnlessDebris: records that change the log name this directory, so a torn identity in it is no
            // debris of an interrupted create (whose server was never opened, so never wrote a record) even when
            // nothing else is stored yet, unless they are an earlier incarnation's (below); believing so would drop
            // the records and create the server anew, empty.
            return ServerDirectory.load(files, root);
        }
        catch (final UnsupportedFormatException ex)
        {
            throw ex;
        }
        catch (final IllegalStateException ex)
        {
            final long recorded = FileMetaStore.recordedUid(files, ServerDirectory.unidentified(root));
            if (0 != recorded && recorded != replay.uid())
            {
                // The meta files (written before the identity file at a create) name another incarnation: the
                // records are those of a server deleted and created again under the same id, gone as any deleted
                // server's, and the identity is the new one's, torn by a crash while it was created (debris, if
                // nothing else is stored there) or damaged since: left to its open to tell.
                return null;
            }
            leaveOut(root, replay, ex);
            return null;
        }
    }

    private void leaveOut(final Path root, final ServerReplay replay, final IllegalStateException damage)
        throws IOException
    {
        if (!replay.changesLog())
        {
            // A registration alone: nothing of its log is left out (and a directory holding nothing else stays
            // the debris it may be).
            return;
        }
        final String name = root.getFileName().toString();
        try (FileMetaStore meta = FileMetaStore.open(files, ServerDirectory.unidentified(root)))
        {
            final Dropped before = dropped.get(name);
            // A record from an earlier start (a loss not yet repaired) is only ever raised, as for any other damage.
            // The records of this start each replace the log after their base, so the last file's say where it ended:
            // that, not the highest entry seen, is what the check at open must find.
            final Dropped now = null == before ?
                new Dropped(meta.damagedAcknowledgedIndex(), meta.damagedAcknowledgedTerm(), replay.lastIndex(),
                    replay.lastTerm()) :
                new Dropped(before.priorIndex(), before.priorTerm(), replay.lastIndex(), replay.lastTerm());
            if (now.priorIndex() > now.lastIndex())
            {
                meta.replaceLogDamage(now.priorIndex(), now.priorTerm());
            }
            else
            {
                meta.replaceLogDamage(now.lastIndex(), now.lastTerm());
            }
            dropped.put(name, now);
        }
        LOG.error("storage damage: {}; the records of a WAL file naming this directory (they left its log at index " +
            "{}, term {}) cannot be attributed to it and are not replayed into it; recorded as storage damage in its " +
            "meta store, and this server cannot be opened until server.id is restored or it is removed and added " +
            "back; the other servers are not affected", damage.getMessage(), replay.lastIndex(), replay.lastTerm());
    }

    /**
     * Look up a server's directory for its open.
     *
     * @param id   of the server.
     * @param root its directory.
     * @return the directory, or null if there is none (debris).
     * @throws IOException on failure to read.
     * @throws IllegalStateException naming the identity file and what to do, if it is unreadable.
     */
    ServerDirectory loadForOpen(final ServerId id, final Path root) throws IOException
    {
        try
        {
            return ServerDirectory.loadUnlessDebris(files, root);
        }
        catch (final UnsupportedFormatException ex)
        {
            throw ex;
        }
        catch (final IllegalStateException ex)
        {
            final Dropped left = dropped.get(root.getFileName().toString());
            throw new IllegalStateException("cannot open server " + id + ": its identity file " +
                root.resolve(ServerDirectory.ID_FILE) + " is damaged (" + ex.getMessage() + "), so nothing in " +
                root + " can be told to be this server's" + (null == left ? "" : "; the WAL records naming the " +
                "directory at this start (they left its log at index " + left.lastIndex() + ", term " +
                left.lastTerm() + ") were not replayed into it, and its meta store records its log as damaged") +
                ". Either restore server.id from a backup of this node (the file this server was created with: it " +
                "then opens with its storage damage reported, and does not vote until a leader has re-replicated " +
                "its log), or remove this member from its cluster, delete its storage and add it back", ex);
        }
    }

    /**
     * A loss the WAL mark found for servers that no readable directory claims: it may be any unreadable one's
     * (deleted servers' too), so each is recorded as having lost it. Wrongly recorded, it only keeps a server from
     * voting until a leader has re-replicated its log that far; not recorded, a restored identity would let a server
     * vote with a log that lost acknowledged entries.
     *
     * @param roots the directories whose identity is unreadable.
     * @param index the highest last durable index of those servers.
     * @param term  its term.
     * @throws IOException on failure to record it.
     */
    void recordUnclaimedLoss(final List<Path> roots, final long index, final long term) throws IOException
    {
        for (final Path root : roots)
        {
            try (FileMetaStore meta = FileMetaStore.open(files, ServerDirectory.unidentified(root)))
            {
                meta.recordLogDamage(index, term);
            }
            LOG.error("storage damage: {} has an unreadable identity and may be one of the servers that lost " +
                "acknowledged entries up to {} (term {}); recorded as storage damage in its meta store", root, index,
                term);
        }
    }
}
