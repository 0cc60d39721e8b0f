package dev.ra.examples.gettingstarted;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The code shown in README.md and docs/GETTING-STARTED.md is the code that {@link GettingStartedTest} compiles and
 * runs, and the code of docs/toolbox.md that {@link ToolboxSamplesTest} does: each block preceded by
 * {@code <!-- quote: PATH#TAG -->} must equal the region of PATH between {@code // tag::TAG[]} and
 * {@code // end::TAG[]}, indentation removed.
 */
class DocsQuoteTest
{
    private static final Pattern QUOTE = Pattern.compile("<!-- quote: (\\S+)#(\\S+) -->\\s*\\n```java\\n(.*?)```",
        Pattern.DOTALL);
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeAndTheTutorialQuoteTheCompiledExample() throws IOException
    {
        final List<String> mismatches = new ArrayList<>();
        assertThat(check(ROOT.resolve("README.md"), mismatches)).as("quotes in README.md").isGreaterThanOrEqualTo(3);
        assertThat(check(ROOT.resolve("docs/GETTING-STARTED.md"), mismatches)).as("quotes in GETTING-STARTED.md")
            .isGreaterThanOrEqualTo(5);
        assertThat(check(ROOT.resolve("docs/toolbox.md"), mismatches)).as("quotes in toolbox.md")
            .isGreaterThanOrEqualTo(10);
        assertThat(mismatches).isEmpty();
    }

    private static int check(final Path doc, final List<String> mismatches) throws IOException
    {
        final Matcher m = QUOTE.matcher(Files.readString(doc));
        int quotes = 0;
        while (m.find())
        {
            quotes++;
            final String expected = region(ROOT.resolve(m.group(1)), m.group(2));
            if (!expected.equals(m.group(3)))
            {
                mismatches.add(ROOT.relativize(doc) + " quotes " + m.group(1) + "#" + m.group(2) +
                    " but the source now reads:\n" + expected);
            }
        }
        return quotes;
    }

    private static String region(final Path source, final String tag) throws IOException
    {
        final List<String> lines = Files.readAllLines(source);
        final int begin = indexOf(lines, "// tag::" + tag + "[]", source);
        final int end = indexOf(lines, "// end::" + tag + "[]", source);
        final List<String> body = lines.subList(begin + 1, end);
        final int indent = body.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        final StringBuilder text = new StringBuilder();
        for (final String line : body)
        {
            text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return text.toString();
    }

    private static int indexOf(final List<String> lines, final String marker, final Path source)
    {
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).strip().equals(marker))
            {
                return i;
            }
        }
        throw new AssertionError(source + " has no line " + marker);
    }
}
