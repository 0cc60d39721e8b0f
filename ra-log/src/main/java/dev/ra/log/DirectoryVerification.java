package dev.ra.log;

import dev.ra.log.DataDirectoryReader.Damage;
import dev.ra.log.DataDirectoryReader.Mark;
import dev.ra.log.DataDirectoryReader.Segment;
import dev.ra.log.DataDirectoryReader.ServerFiles;
import dev.ra.log.DataDirectoryReader.SnapshotFile;
import dev.ra.log.DataDirectoryReader.WalFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link DataDirectoryReader#verify()}: every file checked fully, with the rules recovery applies, the damage listed in
 * file order.
 */
final class DirectoryVerification
{
    private DirectoryVerification()
    {
    }

    /**
     * @param reader       of the directory.
     * @param walDirectory its WAL directory.
     * @return the damage found, in file order; empty if the directory is clean.
     */
    static List<Damage> verify(final DataDirectoryReader reader, final Path walDirectory)
    {
        final List<Damage> damage = new ArrayList<>();
        final Mark mark = reader.mark();
        if (null != mark.damage())
        {
            damage.add(mark.damage());
        }
        final Damage deletedServers = reader.deletedServers().damage();
        if (null != deletedServers)
        {
            damage.add(deletedServers);
        }
        final List<WalFile> wals = reader.walFiles();
        for (final WalFile wal : wals)
        {
            if (null != wal.damage())
            {
                damage.add(wal.damage());
            }
            else if (null != reader.lostDurableData(wal, mark))
            {
                damage.add(reader.lostDurableData(wal, mark));
            }
        }
        if (mark.sequence() != 0 && !mark.lastDurable().isEmpty() &&
            wals.stream().noneMatch(w -> w.sequence() == mark.sequence()) &&
            !ReadOnlyFileLayer.INSTANCE.exists(walDirectory.resolve(WalFormat.spareName(mark.sequence()))))
        {
            damage.add(new Damage(walDirectory.resolve(WalFormat.fileName(mark.sequence())), 0, "missing, but " +
                WalMark.FILE + " says it was synced and reported durable up to offset " + mark.end()));
        }
        for (final ServerFiles server : reader.servers())
        {
            if (null != server.identityDamage())
            {
                damage.add(server.identityDamage());
            }
            damage.addAll(reader.meta(server).damage());
            final Damage config = reader.configDamage(server);
            if (null != config)
            {
                damage.add(config);
            }
            for (final Segment segment : reader.segments(server))
            {
                if (null != segment.damage())
                {
                    damage.add(segment.damage());
                }
                else
                {
                    reader.verifyEntries(segment, damage::add);
                }
            }
            // With the WAL's records: the start-up replay writes them into segments that may fill a gap.
            damage.addAll(reader.logRange(server).gaps());
            for (final SnapshotFile snapshot : reader.snapshots(server))
            {
                if (null != snapshot.damage())
                {
                    damage.add(snapshot.damage());
                }
            }
        }
        return damage;
    }
}
