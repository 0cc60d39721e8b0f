package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Transcripts captured from an older build ({@link GoldenTranscript}), kept as test resources: a machine of this
 * build at that build's version must reproduce them line for line, and read back every snapshot in them and write it
 * again byte for byte. A resource is captured once, from the older build's own code, and never rewritten from this
 * build: a difference is an upgrade bug, not a stale file.
 */
public final class GoldenFiles
{
    /** The bytes of a snapshot line, or of a release cursor's state inside an effects line. */
    private static final Pattern SNAPSHOT = Pattern.compile("(?:^snapshot |ReleaseCursor\\[index=\\d+, state=)" +
        "([0-9a-f]+)");

    private GoldenFiles()
    {
    }

    /**
     * Compare a transcript with the one the older build wrote, and round-trip every state in the older build's.
     *
     * @param resource the older build's transcript, on the test class path.
     * @param lines    this build's transcript of the same scenario.
     * @param machine  at the older build's version, whose state codec reads and writes the snapshots.
     */
    public static void check(final String resource, final List<String> lines, final StateMachine<?, ?> machine)
    {
        final List<String> older = read(resource);
        assertThat(older).as("a captured transcript").isNotEmpty();
        assertThat(lines).as("this build's transcript against the older build's, " + resource)
            .containsExactlyElementsOf(older);
        int states = 0;
        for (final String line : older)
        {
            final Matcher matcher = SNAPSHOT.matcher(line);
            while (matcher.find())
            {
                states++;
                assertThat(roundTrip(machine, matcher.group(1))).as("the older build's state read and written again")
                    .isEqualTo(matcher.group(1));
            }
        }
        assertThat(states).as("snapshots in " + resource).isPositive();
    }

    private static <S> String roundTrip(final StateMachine<?, S> machine, final String hex)
    {
        final S state = machine.stateCodec().fromBytes(HexFormat.of().parseHex(hex));
        return HexFormat.of().formatHex(machine.stateCodec().toBytes(state));
    }

    private static List<String> read(final String resource)
    {
        try (InputStream in = Objects.requireNonNull(GoldenFiles.class.getResourceAsStream(resource), resource))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(resource, e);
        }
    }
}
