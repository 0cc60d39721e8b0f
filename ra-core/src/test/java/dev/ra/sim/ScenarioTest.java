package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Data-driven scenario tests of the pure core, in the style of etcd raft's testdata: each file under
 * {@code src/test/resources/scenarios} opens with a {@code #} paragraph saying which rule it shows, then blocks of a
 * command, a {@code ----} line and the exact actions the cores returned. A header line {@code # expect: violation}
 * marks a scenario that injects a bug and must end with a safety violation; every other scenario must end without
 * one. Run with {@code -Dra.rewrite=true} to regenerate the expected output; only commit the changes if you
 * understand what caused them.
 */
class ScenarioTest
{
    private static final String SEPARATOR = "----";

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException, URISyntaxException
    {
        final Path dir = Path.of(ScenarioTest.class.getResource("/scenarios").toURI());
        final List<Path> files;
        try (Stream<Path> list = Files.list(dir))
        {
            files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> run(file)));
    }

    private static void run(final Path file) throws IOException
    {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        final ScenarioRunner runner = new ScenarioRunner();
        final StringBuilder rewritten = new StringBuilder();
        boolean expectViolation = false;
        int i = 0;
        while (i < lines.size())
        {
            final String line = lines.get(i);
            if (line.startsWith("#") || line.isBlank())
            {
                expectViolation |= line.trim().equals("# expect: violation");
                rewritten.append(line).append('\n');
                i++;
                continue;
            }
            final String command = line;
            i++;
            final StringBuilder expected = new StringBuilder();
            if (i < lines.size() && lines.get(i).equals(SEPARATOR))
            {
                i++;
                while (i < lines.size() && !lines.get(i).isEmpty())
                {
                    expected.append(lines.get(i)).append('\n');
                    i++;
                }
            }
            final String actual = runner.run(command);
            rewritten.append(command).append('\n').append(SEPARATOR).append('\n').append(actual).append('\n');
            if (!Boolean.getBoolean("ra.rewrite"))
            {
                assertThat(actual).as("output of '%s' in %s", command, file.getFileName())
                    .isEqualTo(expected.toString());
            }
            while (i < lines.size() && lines.get(i).isEmpty())
            {
                i++;
            }
        }
        if (Boolean.getBoolean("ra.rewrite"))
        {
            final Path source = Path.of("src/test/resources/scenarios").resolve(file.getFileName());
            Files.writeString(source, rewritten.toString().stripTrailing() + "\n", StandardCharsets.UTF_8);
        }
        if (expectViolation)
        {
            assertThat(runner.safetyProblem()).as("the injected bug is caught").isNotNull();
        }
        else
        {
            assertThat(runner.safetyProblem()).as("safety").isNull();
        }
    }
}
