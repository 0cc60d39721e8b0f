package dev.ra.tool;

import dev.ra.log.DataDirectoryReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code verify DIR}: reads every file fully and checks every checksum; prints each damage as
 * {@code file:offset: what} and exits 1 if there is any, 0 if the directory is clean.
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
        final List<DataDirectoryReader.Damage> damage = reader.verify();
        final PrintWriter out = spec.commandLine().getOut();
        for (final DataDirectoryReader.Damage d : damage)
        {
            out.println(d);
        }
        out.println(damage.isEmpty() ? directory + ": clean" : directory + ": " + damage.size() + " damaged place(s)");
        return damage.isEmpty() ? RaDataTool.CLEAN : RaDataTool.DAMAGED;
    }
}
