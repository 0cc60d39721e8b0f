package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shell's dependencies run one way (docs/RUNTIME.md, "Parts of the shell"): the composition root builds the
 * registry, the registry starts servers, a server sends through the router, the router delivers locally or through
 * the transport. A part may refer to parts of its own layer and of the layers below, never above: a server that called
 * back into the runtime that started it is what this test exists to stop.
 *
 * <p>It reads the sources of {@code dev.ra.runtime} (comments and string literals removed, so documentation may name
 * anything) and fails naming each file and the class it must not refer to. Every source file must be placed in a
 * layer, so a new file is placed deliberately. The system property {@code ra.layering.sources} points it at another
 * copy of the package's sources.
 */
class RuntimeLayeringTest
{
    /** Highest first. */
    private static final List<Layer> LAYERS = List.of(
        new Layer("composition root", "RaRuntime", "StoredServers"),
        new Layer("server registry", "ServerRegistry", "ClientQueries"),
        new Layer("server", "ServerProcess", "ServerCalls", "CallAnswers", "NodeEvents", "PendingNotifications",
            "ServerEnvironment", "ServerTask", "CallTask", "QueryTask", "EventLoop", "ServerCallLedger",
            "MachineEffects", "ParkedQueries", "ServerTimers", "SnapshotWork", "TermAndVoteWrites", "TermAndVoteHold",
            "TermAndVoteWriters", "LeadershipHandOver", "ServerOverviews", "ConfirmedQueryOrigin",
            "ForwardingCallOrigin", "QueuedCommands", "EarlierClusterNotices", "AloneWarnings",
            "HostedClusterEntry"),
        new Layer("router and calls", "MessageRouter", "ServerMailbox", "LocalServers", "CallsTable", "CallTimeouts",
            "ClientCall", "CallOrigin", "RemoteOrigin", "ProcessRegistry", "CorrelationsForProcess", "LocalProcess",
            "NodeReachability",
            "ClusterDirectory", "FailedStarts", "FailedRestarts", "DeletedServers", "InterruptedDeletions",
            "ServerReasons",
            "SharedReadIndex", "MemberOfAnotherCluster", "RemoteStart", "AppliedNotices", "CommandFailures",
            "MemberLearning", "MembersTried"),
        new Layer("values and settings", "ClusterInfo", "CommandCheck", "MembershipRefusals", "LoopTimer",
            "RuntimeClock", "SystemClock", "CoreTime", "RuntimeConfig", "Durations", "VersionedStateCodec",
            "MailboxQueue",
            "RunQueue", "ContainedFailures", "NamedQueryFailure", "package-info"));

    private static final Pattern IDENTIFIER = Pattern.compile("\\b[A-Z][A-Za-z0-9_]*\\b");
    private static final Pattern RUNTIME_IMPORT = Pattern.compile("\\bdev\\.ra\\.runtime\\.([A-Z][A-Za-z0-9_]*)");
    private static final Pattern CLOCK_READ = Pattern.compile(
        "System\\s*\\.\\s*(nanoTime|currentTimeMillis)|Instant\\s*\\.\\s*now|\\bClock\\s*\\.\\s*system");

    @Test
    void noPartOfTheRuntimeRefersToAHigherOne() throws IOException
    {
        final Map<String, Integer> layerOf = new HashMap<>();
        for (int i = 0; i < LAYERS.size(); i++)
        {
            for (final String name : LAYERS.get(i).classes)
            {
                layerOf.put(name, i);
            }
        }
        final Map<String, String> sources = sources(packageDir());
        assertThat(sources).as("sources of dev.ra.runtime in " + packageDir()).isNotEmpty();
        final List<String> violations = new ArrayList<>();
        for (final Map.Entry<String, String> e : sources.entrySet())
        {
            final String name = e.getKey();
            final Integer layer = layerOf.get(name);
            if (null == layer)
            {
                violations.add(name + ".java is in no layer: place it in RuntimeLayeringTest.LAYERS");
                continue;
            }
            for (final String referenced : references(e.getValue(), layerOf.keySet()))
            {
                final int target = layerOf.get(referenced);
                if (target < layer)
                {
                    violations.add(name + ".java (" + LAYERS.get(layer).name + ") refers to " + referenced + " (" +
                        LAYERS.get(target).name + ")");
                }
            }
        }
        assertThat(violations).as("references from a lower part of the runtime to a higher one").isEmpty();
    }

    @Test
    void inJvmNetworkAndInMemoryStorageUseNothingOfTheRuntimeShell() throws IOException
    {
        final List<String> violations = new ArrayList<>();
        for (final String sub : List.of("injvm", "memory"))
        {
            for (final Map.Entry<String, String> e : sources(packageDir().resolve(sub)).entrySet())
            {
                final Matcher m = RUNTIME_IMPORT.matcher(e.getValue());
                while (m.find())
                {
                    violations.add(sub + "/" + e.getKey() + ".java refers to dev.ra.runtime." + m.group(1));
                }
            }
        }
        assertThat(violations).as("the SPI implementations in injvm/ and memory/ stand on the SPI alone").isEmpty();
    }

    /**
     * The shell reads the time through {@link RuntimeClock} only, so that a test can drive its timeouts. The in-JVM
     * network and the in-memory storage (injvm/, memory/) are a transport and a storage like any other, outside the
     * shell, and keep their own time.
     */
    @Test
    void theShellReadsTheTimeOnlyThroughItsClock() throws IOException
    {
        final List<String> violations = new ArrayList<>();
        for (final Map.Entry<String, String> e : sources(packageDir()).entrySet())
        {
            if (e.getKey().equals("SystemClock"))
            {
                continue;
            }
            final Matcher m = CLOCK_READ.matcher(e.getValue());
            while (m.find())
            {
                violations.add(e.getKey() + ".java reads " + m.group() + " instead of the RuntimeClock");
            }
        }
        assertThat(violations).isEmpty();
    }

    private static Path packageDir()
    {
        final String override = System.getProperty("ra.layering.sources");
        return null != override ? Path.of(override) : Path.of("src", "main", "java", "dev", "ra", "runtime");
    }

    /**
     * @return the code of each source file directly in the directory, by class name, without comments and literals.
     */
    private static Map<String, String> sources(final Path dir) throws IOException
    {
        final Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.filter(p -> p.toString().endsWith(".java")).toList())
            {
                final String name = file.getFileName().toString().replace(".java", "");
                sources.put(name, codeOnly(Files.readString(file)));
            }
        }
        return sources;
    }

    private static Set<String> references(final String code, final Set<String> known)
    {
        final Set<String> found = new LinkedHashSet<>();
        final Matcher m = IDENTIFIER.matcher(code);
        while (m.find())
        {
            if (known.contains(m.group()))
            {
                found.add(m.group());
            }
        }
        return found;
    }

    /**
     * Java source without comments, string, text block and char literals: what is left is what the code refers to.
     */
    static String codeOnly(final String source)
    {
        final StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        final int n = source.length();
        while (i < n)
        {
            final char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/')
            {
                while (i < n && source.charAt(i) != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*')
            {
                final int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            }
            else if (source.startsWith("\"\"\"", i))
            {
                final int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            }
            else if (c == '"' || c == '\'')
            {
                i++;
                while (i < n && source.charAt(i) != c)
                {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            }
            else
            {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private record Layer(String name, List<String> classes)
    {
        Layer(final String name, final String... classes)
        {
            this(name, List.of(classes));
        }
    }
}
