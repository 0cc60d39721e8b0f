package dev.ra.tool;

import dev.ra.log.DataDirectoryReader;
import dev.ra.log.DataDirectoryReader.Damage;
import dev.ra.log.DataDirectoryReader.LogRange;
import dev.ra.log.DataDirectoryReader.Mark;
import dev.ra.log.DataDirectoryReader.MetaState;
import dev.ra.log.DataDirectoryReader.Segment;
import dev.ra.log.DataDirectoryReader.ServerFiles;
import dev.ra.log.DataDirectoryReader.SnapshotFile;
import dev.ra.log.DataDirectoryReader.WalFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code inspect DIR}: what the directory holds. Per server: id, term and vote (and which meta copy), the log's range,
 * segments, snapshots; the WAL files with their entries per server; the WAL mark; how many servers deleted with their
 * cluster {@code deleted-servers} remembers. Damage met on the way is shown
 * where it is, and inspecting goes on. Human-readable by default, {@code --json} for machines.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show the servers (term, vote, log range, segments, snapshots), the WAL files, the WAL mark and " +
        "the record of servers deleted with their cluster.")
final class InspectCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "the node's data directory")
    Path directory;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final DataDirectoryReader reader = DataDirectoryReader.open(directory);
        final Map<String, Object> report = report(reader);
        final PrintWriter out = spec.commandLine().getOut();
        if (json)
        {
            out.println(Json.write(report));
        }
        else
        {
            printText(report, out);
        }
        return RaDataTool.CLEAN;
    }

    private static Map<String, Object> report(final DataDirectoryReader reader)
    {
        final Map<String, Object> report = new LinkedHashMap<>();
        report.put("directory", reader.directory().toString());
        final Mark mark = reader.mark();
        final Map<String, Object> markJson = new LinkedHashMap<>();
        markJson.put("present", mark.present());
        markJson.put("walSequence", mark.sequence());
        markJson.put("durableEnd", mark.end());
        final List<ServerFiles> serverFiles = reader.servers();
        final List<Object> durable = new ArrayList<>();
        mark.lastDurable().forEach((uid, entry) ->
        {
            final Map<String, Object> row = map("uid", hex(uid), "index", entry[0], "term", entry[1]);
            row.put("server", serverFiles.stream().filter(s -> s.uid() == uid).map(ServerFiles::directoryName)
                .findFirst().orElse(null));
            durable.add(row);
        });
        markJson.put("servers", durable);
        markJson.put("damage", damage(mark.damage()));
        report.put("walMark", markJson);
        final DataDirectoryReader.DeletedServers deleted = reader.deletedServers();
        final Map<String, Object> deletedJson = new LinkedHashMap<>();
        deletedJson.put("present", deleted.present());
        deletedJson.put("servers", deleted.servers());
        deletedJson.put("damage", damage(deleted.damage()));
        report.put("deletedServers", deletedJson);
        final List<Object> wals = new ArrayList<>();
        for (final WalFile wal : reader.walFiles())
        {
            final Map<String, Object> w = map("file", wal.path().getFileName().toString(), "sequence", wal.sequence(),
                "size", wal.size(), "newest", wal.newest(), "validEnd", wal.validEnd());
            w.put("ended", wal.ended());
            w.put("tornTail", wal.tornTail());
            w.put("entriesByServer", new LinkedHashMap<>(wal.entriesByServer()));
            w.put("damage", damage(null != wal.damage() ? wal.damage() : reader.lostDurableData(wal, mark)));
            wals.add(w);
        }
        report.put("walFiles", wals);
        final List<Object> servers = new ArrayList<>();
        for (final ServerFiles server : serverFiles)
        {
            servers.add(server(reader, server));
        }
        report.put("servers", servers);
        return report;
    }

    private static Map<String, Object> server(final DataDirectoryReader reader, final ServerFiles server)
    {
        final Map<String, Object> s = map("directory", server.directoryName(),
            "id", null == server.id() ? null : server.id().toString(),
            "cluster", null == server.id() ? null : server.id().name());
        s.put("node", null == server.id() ? null : server.id().node());
        s.put("uid", 0 == server.uid() ? null : hex(server.uid()));
        s.put("uidFrom", 0 == server.uid() ? null : null == server.identityDamage() ? "server.id" : "meta");
        s.put("identityDamage", damage(server.identityDamage()));
        final MetaState meta = reader.meta(server);
        final Map<String, Object> m = map("found", meta.found(), "term", meta.term(),
            "votedFor", null == meta.votedFor() ? null : meta.votedFor().toString());
        m.put("lastApplied", meta.lastApplied());
        m.put("readFrom", meta.source());
        m.put("damagedAcknowledgedIndex", meta.damagedIndex());
        m.put("termAndVoteLost", meta.termAndVoteLost());
        final List<Object> metaDamage = new ArrayList<>();
        meta.damage().forEach(d -> metaDamage.add(damage(d)));
        m.put("damage", metaDamage);
        s.put("meta", m);
        s.put("configDamage", damage(reader.configDamage(server)));
        final LogRange range = reader.logRange(server);
        final Map<String, Object> log = map("firstIndex", range.firstIndex(), "lastIndex", range.lastIndex(),
            "lastTerm", range.lastTerm());
        final List<Object> gaps = new ArrayList<>();
        range.gaps().forEach(g -> gaps.add(damage(g)));
        log.put("gaps", gaps);
        s.put("log", log);
        final List<Object> segments = new ArrayList<>();
        for (final Segment segment : reader.segments(server))
        {
            final Map<String, Object> g = map("file", segment.path().getFileName().toString(), "firstIndex",
                segment.firstIndex(), "lastIndex", segment.lastIndex());
            g.put("reset", segment.reset());
            g.put("size", segment.size());
            g.put("damage", damage(segment.damage()));
            segments.add(g);
        }
        s.put("segments", segments);
        final List<Object> snapshots = new ArrayList<>();
        for (final SnapshotFile snapshot : reader.snapshots(server))
        {
            final Map<String, Object> n = map("file", snapshot.path().getFileName().toString(), "index",
                snapshot.index(), "term", snapshot.term());
            n.put("size", snapshot.size());
            n.put("damage", damage(snapshot.damage()));
            snapshots.add(n);
        }
        s.put("snapshots", snapshots);
        return s;
    }

    private static Map<String, Object> map(final String k1, final Object v1, final String k2, final Object v2,
        final String k3, final Object v3)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        map.put(k3, v3);
        return map;
    }

    private static Map<String, Object> map(final String k1, final Object v1, final String k2, final Object v2,
        final String k3, final Object v3, final String k4, final Object v4, final String k5, final Object v5)
    {
        final Map<String, Object> map = map(k1, v1, k2, v2, k3, v3);
        map.put(k4, v4);
        map.put(k5, v5);
        return map;
    }

    private static String damage(final Damage damage)
    {
        return null == damage ? null : damage.toString();
    }

    private static String hex(final long value)
    {
        return String.format("%016x", value);
    }

    @SuppressWarnings("unchecked")
    private static void printText(final Map<String, Object> report, final PrintWriter out)
    {
        out.println("data directory " + report.get("directory"));
        final Map<String, Object> mark = (Map<String, Object>)report.get("walMark");
        if (null != mark.get("damage"))
        {
            out.println("wal.mark: DAMAGED " + mark.get("damage"));
        }
        else if (!(Boolean)mark.get("present") || (Long)mark.get("walSequence") == 0)
        {
            out.println("wal.mark: " + ((Boolean)mark.get("present") ? "says nothing (WAL replayed since)" :
                "absent"));
        }
        else
        {
            out.println("wal.mark: WAL file " + String.format("%016x", (Long)mark.get("walSequence")) +
                ".wal durable up to offset " + mark.get("durableEnd") + ", last durable entries:");
            for (final Object row : (List<Object>)mark.get("servers"))
            {
                final Map<String, Object> r = (Map<String, Object>)row;
                out.println("    " + (null == r.get("server") ? "uid " + r.get("uid") + " (no such server)" :
                    r.get("server")) + ": index " + r.get("index") + " term " + r.get("term"));
            }
        }
        final Map<String, Object> deleted = (Map<String, Object>)report.get("deletedServers");
        out.println("deleted-servers: " + (!(Boolean)deleted.get("present") ? "absent (no deletion recorded)" :
            deleted.get("servers") + " server(s) deleted with their cluster remembered" +
            (null != deleted.get("damage") ? "; DAMAGED " + deleted.get("damage") + " (the rest is not read)" : "")));
        final List<Object> wals = (List<Object>)report.get("walFiles");
        out.println("WAL files: " + (wals.isEmpty() ? "none" : ""));
        for (final Object o : wals)
        {
            final Map<String, Object> w = (Map<String, Object>)o;
            final String state = null != w.get("damage") ? "DAMAGED " + w.get("damage") :
                (Boolean)w.get("ended") ? "ended" : (Boolean)w.get("tornTail") ? "torn tail (never acknowledged)" :
                "open";
            out.println("  " + w.get("file") + "  size " + w.get("size") + "  valid data to " + w.get("validEnd") +
                "  " + state + ((Boolean)w.get("newest") ? "  (newest)" : ""));
            out.println("    entries: " + (((Map<String, Object>)w.get("entriesByServer")).isEmpty() ? "none" :
                w.get("entriesByServer")));
        }
        for (final Object o : (List<Object>)report.get("servers"))
        {
            printServer((Map<String, Object>)o, out);
        }
    }

    @SuppressWarnings("unchecked")
    private static void printServer(final Map<String, Object> s, final PrintWriter out)
    {
        final Object uid = null == s.get("uid") ? "unknown" : "meta".equals(s.get("uidFrom")) ?
            s.get("uid") + " (recorded in meta; server.id unreadable)" : s.get("uid");
        out.println("server " + (null == s.get("id") ? "?" : s.get("id")) + "  (" + (null == s.get("cluster") ? "" :
            "cluster " + s.get("cluster") + ", ") + "directory " + s.get("directory") + ", uid " + uid + ")");
        if (null != s.get("identityDamage"))
        {
            out.println("  server.id DAMAGED " + s.get("identityDamage"));
        }
        final Map<String, Object> meta = (Map<String, Object>)s.get("meta");
        if ((Boolean)meta.get("found"))
        {
            out.println("  term " + meta.get("term") + ", voted for " + (null == meta.get("votedFor") ? "nobody" :
                meta.get("votedFor")) + ", last applied " + meta.get("lastApplied") + "  (read from " +
                meta.get("readFrom") + ")");
        }
        else
        {
            out.println("  term and vote: none found");
        }
        if ((Long)meta.get("damagedAcknowledgedIndex") != 0 || (Boolean)meta.get("termAndVoteLost"))
        {
            out.println("  recorded storage damage: acknowledged index " + meta.get("damagedAcknowledgedIndex") +
                " lost" + ((Boolean)meta.get("termAndVoteLost") ? ", term and vote lost" : ""));
        }
        for (final Object d : (List<Object>)meta.get("damage"))
        {
            out.println("  meta DAMAGED " + d);
        }
        if (null != s.get("configDamage"))
        {
            out.println("  config DAMAGED " + s.get("configDamage"));
        }
        final Map<String, Object> log = (Map<String, Object>)s.get("log");
        out.println("  log: " + ((Long)log.get("lastIndex") < (Long)log.get("firstIndex") ? "empty" :
            log.get("firstIndex") + ".." + log.get("lastIndex")) + ", last term " + log.get("lastTerm"));
        for (final Object gap : (List<Object>)log.get("gaps"))
        {
            out.println("  log DAMAGED " + gap);
        }
        out.println("  segments: " + (((List<Object>)s.get("segments")).isEmpty() ? "none" : ""));
        for (final Object o : (List<Object>)s.get("segments"))
        {
            final Map<String, Object> g = (Map<String, Object>)o;
            out.println("    " + g.get("file") + "  " + (null != g.get("damage") ? "DAMAGED " + g.get("damage") :
                g.get("firstIndex") + ".." + g.get("lastIndex") + ((Boolean)g.get("reset") ? " (reset)" : "")) +
                "  size " + g.get("size"));
        }
        out.println("  snapshots: " + (((List<Object>)s.get("snapshots")).isEmpty() ? "none" : ""));
        for (final Object o : (List<Object>)s.get("snapshots"))
        {
            final Map<String, Object> n = (Map<String, Object>)o;
            out.println("    index " + n.get("index") + " term " + n.get("term") + "  size " + n.get("size") +
                (null != n.get("damage") ? "  DAMAGED " + n.get("damage") : ""));
        }
    }
}
