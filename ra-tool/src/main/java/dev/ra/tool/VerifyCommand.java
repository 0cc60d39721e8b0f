package dev.ra.tool;

import dev.ra.log.DataDirectoryReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code verify DIR}: reads every file fully and checks every checksum; prints each damage as
 * {@code file:offset: what} and exits 1 if there is any, 0 if the directory is clean. Entries the WAL holds of a
 * server without a directory are no damage (a deleted server's stay until its WAL file is recycled) but are never
 * "clean" either: if the server was not deleted, its directory is lost and the next start discards them.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Read every file fully and check every checksum.",
        "Prints each damage as file:offset: what. Exit status 0 if clean, 1 if damaged, 2 if it could not run."})
final class VerifyCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "the node's data directory")
    Path directory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final DataDirectoryReader reader = DataDirectoryReader.open(directory);
        final List<DataDirectoryReader.Damage> damage = new ArrayList<>(reader.verify());
        final Map<String, List<String>> homeless = serversWithoutDirectory(reader);
        final Path servers = reader.directory().resolve("servers");
        if (!homeless.isEmpty() && !Files.isDirectory(servers))
        {
            // Storage.delete removes a server's directory, never servers/ itself.
            damage.add(new DataDirectoryReader.Damage(servers, 0, "missing, but the WAL holds entries of " +
                String.join(", ", homeless.keySet())));
            homeless.clear();
        }
        final PrintWriter out = spec.commandLine().getOut();
        for (final DataDirectoryReader.Damage d : damage)
        {
            out.println(d);
        }
        homeless.forEach((server, wals) -> out.println("note: " + String.join(", ", wals) + " hold" +
            (wals.size() == 1 ? "s" : "") + " entries of " + server + ", which has no directory: a deleted server " +
            "(the next start discards them); if it was not deleted, its directory is lost"));
        out.println(!damage.isEmpty() ? directory + ": " + damage.size() + " damaged place(s)" : homeless.isEmpty() ?
            directory + ": clean" : directory + ": no damage, but the WAL names " + homeless.size() + " server(s) " +
            "with no directory");
        return damage.isEmpty() ? RaDataTool.CLEAN : RaDataTool.DAMAGED;
    }

    /**
     * @return the servers with entries in a WAL file but no directory, each with those WAL files.
     */
    private static Map<String, List<String>> serversWithoutDirectory(final DataDirectoryReader reader)
    {
        final Set<String> directories = new HashSet<>();
        reader.servers().forEach(server -> directories.add(server.directoryName()));
        final Map<String, List<String>> homeless = new TreeMap<>();
        for (final DataDirectoryReader.WalFile wal : reader.walFiles())
        {
            for (final String server : wal.entriesByServer().keySet())
            {
                if (!directories.contains(server))
                {
                    homeless.computeIfAbsent(server, key -> new ArrayList<>()).add(wal.path().toString());
                }
            }
        }
        return homeless;
    }
}
