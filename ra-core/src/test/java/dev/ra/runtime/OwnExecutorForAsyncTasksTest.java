package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No code of the repository (library, tools, demo, benchmarks, tests) hands a task to {@code CompletableFuture}'s
 * default executor: from JDK 25, on a machine with one or two processors, that is the common pool with a single worker
 * (JDK 17 gave each task a thread of its own there), so tasks that block until another task lets them go run one after
 * the other and wait until they time out. That failed {@code DirectorySyncsTest} on JDK 25 and would have serialised
 * the demo's children starting and the recovery figure's restarts. Every asynchronous task names its executor.
 *
 * <p>Reads every Java source under the repository's {@code src} directories (comments and literals removed); the
 * system property {@code ra.sources.root} points it at another copy of the repository.
 */
class OwnExecutorForAsyncTasksTest
{
    /** Methods that take a task and, without an executor, run it on the default executor: name and arity without. */
    private static final Map<String, Integer> ARITY_WITHOUT_EXECUTOR = Map.ofEntries(
        Map.entry("runAsync", 1), Map.entry("supplyAsync", 1), Map.entry("thenApplyAsync", 1),
        Map.entry("thenAcceptAsync", 1), Map.entry("thenRunAsync", 1), Map.entry("thenComposeAsync", 1),
        Map.entry("whenCompleteAsync", 1), Map.entry("handleAsync", 1), Map.entry("exceptionallyAsync", 1),
        Map.entry("exceptionallyComposeAsync", 1), Map.entry("completeAsync", 1), Map.entry("thenCombineAsync", 2),
        Map.entry("thenAcceptBothAsync", 2), Map.entry("runAfterBothAsync", 2), Map.entry("applyToEitherAsync", 2),
        Map.entry("acceptEitherAsync", 2), Map.entry("runAfterEitherAsync", 2));
    private static final Pattern ASYNC_CALL = Pattern.compile("\\.\\s*([a-zA-Z]+Async)\\s*\\(");
    private static final Pattern COMMON_POOL = Pattern.compile("ForkJoinPool\\s*\\.\\s*commonPool\\s*\\(");

    @Test
    void everyAsynchronousTaskNamesItsExecutor() throws IOException
    {
        final Path root = repositoryRoot();
        final List<Path> files = javaSources(root);
        assertThat(files).as("Java sources under " + root).hasSizeGreaterThan(100);
        final List<String> violations = new ArrayList<>();
        for (final Path file : files)
        {
            final String code = RuntimeLayeringTest.codeOnly(Files.readString(file, StandardCharsets.UTF_8));
            violations.addAll(defaultExecutorUses(root.relativize(file).toString(), code));
        }
        assertThat(violations).as("tasks left to CompletableFuture's default executor (give them one)").isEmpty();
    }

    @Test
    void theCheckFindsATaskWithoutAnExecutor()
    {
        final String code = "class A { void f(Executor e) { CompletableFuture.runAsync(() -> g(1, 2)); " +
            "CompletableFuture.supplyAsync(this::h, e); x.thenApplyAsync(v -> v).thenCombineAsync(y, (a, b) -> a); " +
            "x.thenApplyAsync(v -> v, e); ForkJoinPool.commonPool(); } }";
        assertThat(defaultExecutorUses("A.java", code)).containsExactly(
            "A.java: runAsync(() -> g(1, 2))", "A.java: thenApplyAsync(v -> v)",
            "A.java: thenCombineAsync(y, (a, b) -> a)", "A.java: ForkJoinPool.commonPool()");
    }

    private static List<String> defaultExecutorUses(final String file, final String code)
    {
        final List<String> found = new ArrayList<>();
        final Matcher call = ASYNC_CALL.matcher(code);
        while (call.find())
        {
            final Integer arity = ARITY_WITHOUT_EXECUTOR.get(call.group(1));
            final int close = closingParenthesis(code, call.end());
            if (null != arity && close > 0 && topLevelArguments(code.substring(call.end(), close)) == arity)
            {
                final String arguments = code.substring(call.end(), close).strip();
                final int lineEnd = arguments.indexOf('\n');
                found.add(file + ": " + call.group(1) + "(" +
                    (lineEnd < 0 ? arguments + ")" : arguments.substring(0, lineEnd).strip() + " ..."));
            }
        }
        final Matcher pool = COMMON_POOL.matcher(code);
        while (pool.find())
        {
            found.add(file + ": ForkJoinPool.commonPool()");
        }
        return found;
    }

    /** @return the index of the parenthesis closing the one just before {@code from}, or -1. */
    private static int closingParenthesis(final String code, final int from)
    {
        int depth = 1;
        for (int i = from; i < code.length(); i++)
        {
            final char c = code.charAt(i);
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private static int topLevelArguments(final String arguments)
    {
        if (arguments.isBlank())
        {
            return 0;
        }
        int depth = 0;
        int count = 1;
        for (int i = 0; i < arguments.length(); i++)
        {
            final char c = arguments.charAt(i);
            if (c == '(' || c == '{' || c == '[')
            {
                depth++;
            }
            else if (c == ')' || c == '}' || c == ']')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                count++;
            }
        }
        return count;
    }

    private static Path repositoryRoot()
    {
        final String configured = System.getProperty("ra.sources.root");
        if (null != configured)
        {
            return Path.of(configured).toAbsolutePath();
        }
        // Tests run in their module's directory, as DocsQuoteTest and PackagingTest rely on too.
        return Path.of("..").toAbsolutePath().normalize();
    }

    private static List<Path> javaSources(final Path root) throws IOException
    {
        try (Stream<Path> walk = Files.walk(root))
        {
            return walk.filter(p -> p.toString().endsWith(".java"))
                .filter(p -> root.relativize(p).toString().contains("/src/"))
                .filter(p -> !root.relativize(p).toString().contains("/target/"))
                .sorted()
                .toList();
        }
    }
}
