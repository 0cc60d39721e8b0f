package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pure core must stay pure: no I/O, no clock, no threads, no concurrency utilities and no dependency on the
 * runtime shell. Every class file of {@code dev.ra.core} is scanned for references to what it must not use (class
 * files name the classes and methods they reference in their constant pool), so a change that sneaks any of them
 * in fails here rather than in a flaky simulation.
 */
class CorePurityTest
{
    private static final List<String> FORBIDDEN = List.of(
        "java/io/", "java/nio/", "java/net/", "java/lang/Thread", "java/util/concurrent", "java/time/",
        "currentTimeMillis", "nanoTime", "java/util/Random", "java/lang/Math.random", "ThreadLocalRandom",
        "dev/ra/runtime/", "dev/ra/log/", "org/slf4j/");

    @Test
    void coreClassesReferenceNoIoClockThreadOrRuntime() throws IOException, URISyntaxException
    {
        final Path core = Path.of(ServerCore.class.getResource("ServerCore.class").toURI()).getParent();
        final List<String> violations = new ArrayList<>();
        final List<Path> classes;
        try (Stream<Path> files = Files.list(core))
        {
            classes = files.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertThat(classes).hasSizeGreaterThan(10);
        for (final Path file : classes)
        {
            final String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (final String forbidden : FORBIDDEN)
            {
                if (text.contains(forbidden))
                {
                    violations.add(file.getFileName() + " references " + forbidden);
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
