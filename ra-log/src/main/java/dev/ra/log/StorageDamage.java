package dev.ra.log;

import dev.ra.ServerId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds storage damage that a crash cannot cause, at start-up: acknowledged entries lost from the newest WAL file
 * (compared with the {@link WalMark}) and term and vote lost (both meta files), and records it in each server's meta
 * store for the server to recover from (see docs/log-format.md, "Damaged storage"). Each finding is logged once, as
 * an error naming the file, what was lost and what the server does about it.
 */
final class StorageDamage
{
    private static final Logger LOG = LoggerFactory.getLogger(StorageDamage.class);
    /** Magic, version, and two fields of the version: what {@link WalMark#read} needs before any slot. */
    private static final int MARK_HEADER = 16;

    private StorageDamage()
    {
    }

    /**
     * Compare the WAL files a previous run left with the mark it kept of how far they were durable (see
     * {@link WalMark}): if the newest one is missing or its valid data ends before the mark, entries that were
     * reported durable, hence possibly acknowledged, are gone. Each server that had entries in that file gets the
     * index and term of its last durable entry recorded in its meta store (before the mark is reset), and its open
     * decides whether its log lost anything.
     *
     * @param files            the file layer.
     * @param walDirectory     of the storage.
     * @param serversDirectory of the storage.
     * @param mark             what the previous run's mark says, or null if it is unreadable.
     * @param validEnds        where the valid data of each WAL file replayed at this start ended, by sequence.
     * @param walNames         the names in the WAL directory before the replay.
     * @param walDamage        to fill with what was lost, by server uid, for the servers' open.
     * @param unreadable        records a loss no readable directory claims in the directories whose identity is
     *                          unreadable (it may be theirs).
     * @throws IOException on failure.
     */
    static void checkWalMark(final FileLayer files, final Path walDirectory, final Path serversDirectory,
        final WalMark.State mark, final Map<Long, Long> validEnds, final List<String> walNames,
        final Map<Long, String> walDamage, final UnreadableIdentities unreadable) throws IOException
    {
        if (null == mark)
        {
            LOG.warn("{}", unreadableMarkWarning(files, walDirectory.resolveSibling(WalMark.FILE)));
            return;
        }
        if (mark.sequence() == 0 || mark.servers().isEmpty())
        {
            return;
        }
        final Long validEnd = validEnds.get(mark.sequence());
        final Path wal = walDirectory.resolve(WalFormat.fileName(mark.sequence()));
        final String what;
        if (null == validEnd)
        {
            if (walNames.contains(WalFormat.spareName(mark.sequence())))
            {
                // Flushed into segments and recycled by a start that then crashed before it reset the mark.
                return;
            }
            what = "WAL file " + wal + " is missing: bytes " + WalFormat.FILE_HEADER + ".." + mark.end() +
                " had been synced and reported durable";
        }
        else if (validEnd < mark.end())
        {
            what = "WAL file " + wal + " has valid data only up to offset " + validEnd + " (truncated, zero-filled " +
                "or overwritten): bytes " + validEnd + ".." + mark.end() + " had been synced and reported durable";
        }
        else
        {
            return;
        }
        LOG.error("storage damage: {}; {} server(s) had entries in that file, each checked when it is opened",
            what, mark.servers().size());
        final Map<Long, ServerDirectory> byUid = new HashMap<>();
        final List<Path> unidentified = new ArrayList<>();
        for (final String name : files.list(serversDirectory))
        {
            try
            {
                // Not loadUnlessDebris: a torn identity in a directory holding nothing else may be the server that
                // lost entries (its records were only in the lost file); recording the loss there keeps it from being
                // created anew, empty, as if it had never acknowledged anything.
                final ServerDirectory dir = ServerDirectory.load(files, serversDirectory.resolve(name));
                if (null != dir)
                {
                    byUid.put(dir.uid(), dir);
                }
            }
            catch (final IllegalStateException ex)
            {
                LOG.warn("skipping unreadable server directory: {}", ex.getMessage());
                // Unless its meta files name an incarnation that lost nothing (a server created again under the id
                // of one deleted, whose records may be the lost ones).
                final long recorded = ex instanceof UnsupportedFormatException ? 0 : FileMetaStore.recordedUid(files,
                    ServerDirectory.unidentified(serversDirectory.resolve(name)));
                if (!(ex instanceof UnsupportedFormatException) && (0 == recorded ||
                    mark.servers().containsKey(recorded)))
                {
                    unidentified.add(serversDirectory.resolve(name));
                }
            }
        }
        long[] unclaimed = null;
        for (final Map.Entry<Long, long[]> server : mark.servers().entrySet())
        {
            final ServerDirectory dir = byUid.get(server.getKey());
            if (null == dir)
            {
                // A deleted server's, or one whose identity is unreadable.
                unclaimed = null == unclaimed || server.getValue()[0] > unclaimed[0] ? server.getValue() : unclaimed;
                continue;
            }
            try (FileMetaStore meta = FileMetaStore.open(files, dir))
            {
                meta.recordLogDamage(server.getValue()[0], server.getValue()[1]);
            }
            walDamage.put(server.getKey(), what);
        }
        if (null != unclaimed && !unidentified.isEmpty())
        {
            unreadable.recordUnclaimedLoss(unidentified, unclaimed[0], unclaimed[1]);
        }
    }

    /**
     * The warning for a mark that {@link WalMark#read} found unreadable: which of its parts is, looked up again from
     * its header (rare, so the second read costs nothing that matters).
     *
     * @param files of the storage.
     * @param path  of the mark.
     * @return the file, what of it is unreadable and what that means for this start.
     */
    static String unreadableMarkWarning(final FileLayer files, final Path path)
    {
        return path + ": " + unreadablePart(files, path) + "; a loss of acknowledged entries in the newest WAL " +
            "file cannot be detected at this start";
    }

    private static String unreadablePart(final FileLayer files, final Path path)
    {
        try (LogFile file = files.open(path, false))
        {
            final long size = file.size();
            final ByteBuffer header = ByteBuffer.allocate(MARK_HEADER);
            if (file.read(header, 0) < MARK_HEADER || header.getInt(0) != Formats.WAL_MARK_MAGIC)
            {
                return "its header is unreadable (" + size + " bytes, not starting with the magic \"RAMK\")";
            }
            if (header.getInt(4) == Formats.NO_VERSION)
            {
                return "its header reads " + Formats.TORN_AFTER_MAGIC;
            }
            if (header.getInt(4) == WalMarkVersion1.VERSION)
            {
                return "neither of its two slots (format version 1) has a valid length and checksum";
            }
            return "neither of its head slots (at offsets " + WalMark.HEAD_SLOT_OFFSET + " and " +
                2 * WalMark.HEAD_SLOT_OFFSET + ", in a file of " + size + " bytes) has a valid checksum";
        }
        catch (final IOException ex)
        {
            return "it is unreadable (" + ex.getMessage() + ")";
        }
    }

    /**
     * At open: what the meta store says about damage, checked against the log as it is now.
     *
     * @param id        of the server.
     * @param log       its log, loaded.
     * @param meta      its meta store.
     * @param walDamage what {@link #checkWalMark} found lost, by server uid (the entry is removed once used).
     */
    static void checkOpened(final ServerId id, final ServerLog log, final FileMetaStore meta,
        final Map<Long, String> walDamage)
    {
        if (!meta.foundState() && (meta.damagedFile() || log.lastIndex() > 0))
        {
            meta.recordTermAndVoteLost();
            LOG.error("{}: storage damage: its meta files ({}, {}) are {}, so its term and vote are lost; it " +
                "follows, replicates and applies, but it will not vote or stand for election again and its " +
                "acknowledgements count towards no quorum (it may have voted in a term it cannot know): remove this " +
                "member and add it back to restore it", id,
                log.directory().metaFile(), log.directory().metaCopyFile(),
                meta.damagedFile() ? "damaged" : "missing although its log holds entries");
        }
        final long acknowledged = meta.damagedAcknowledgedIndex();
        if (acknowledged > 0)
        {
            final long term = meta.damagedAcknowledgedTerm();
            if (log.firstIndex() - 1 >= acknowledged || log.term(acknowledged) == term)
            {
                meta.clearLogDamage();
                walDamage.remove(log.directory().uid());
                return;
            }
            LOG.error("{}: storage damage: {}; this server had made entries up to {} (term {}) durable and may have " +
                "acknowledged them, but its log now ends at {}; it will not vote or stand for election until a " +
                "leader has re-replicated its log past {}", id, walDamage.getOrDefault(log.directory().uid(),
                "recorded at an earlier start"), acknowledged, term, log.lastIndex(), acknowledged);
        }
    }
}
