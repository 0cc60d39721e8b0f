package dev.ra.examples.gettingstarted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The library modules package like libraries: each jar names its module ({@code Automatic-Module-Name}), has sources
 * and javadoc jars beside it and no demo classes; and a project depending on ra-transport-netty (as this module does)
 * gets the few Netty modules the transport uses, not the aggregator with its HTTP/3, QUIC and MQTT codecs (the HTTP/1.1
 * codec is here because of ra-admin, the demo's live view). The jars
 * exist once the libraries are packaged, as {@code mvn verify} does before this module's tests.
 */
class PackagingTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> LIBRARIES = List.of("ra-core", "ra-log", "ra-transport-netty", "ra-node",
        "ra-admin");

    @Test
    void eachLibraryJarHasAModuleNameSourcesAndJavadocAndNoDemo() throws IOException
    {
        assumeTrue(Files.exists(jar("ra-core", "")), "the libraries are not packaged in this build");
        final List<String> problems = new ArrayList<>();
        for (final String module : LIBRARIES)
        {
            final Path main = jar(module, "");
            try (JarFile jar = new JarFile(main.toFile()))
            {
                final String name = jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                if (null == name || name.isBlank())
                {
                    problems.add(main.getFileName() + " has no Automatic-Module-Name");
                }
                jar.stream().filter(e -> e.getName().contains("/demo/") || e.getName().contains("/examples/"))
                    .forEach(e -> problems.add(main.getFileName() + " holds " + e.getName()));
            }
            for (final String classifier : List.of("-sources", "-javadoc"))
            {
                if (!Files.exists(jar(module, classifier)))
                {
                    problems.add(module + " has no " + classifier.substring(1) + " jar");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theTransportBringsTheNettyModulesItUsesOnly()
    {
        final List<String> netty = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(entry -> Path.of(entry).getFileName().toString()).filter(name -> name.startsWith("netty-"))
            .toList();
        assertThat(netty).isNotEmpty();
        assertThat(netty).noneMatch(name -> name.startsWith("netty-all-") || name.contains("http3") ||
            name.contains("quic") || name.contains("mqtt") || name.contains("-http2-") || name.contains("kqueue") ||
            name.contains("io_uring") || name.contains("macos") || name.contains("windows"));
    }

    private static Path jar(final String module, final String classifier)
    {
        return ROOT.resolve(module).resolve("target").resolve(module + "-0.1.0-SNAPSHOT" + classifier + ".jar");
    }
}
