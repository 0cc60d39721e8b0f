package dev.ra.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium ({@value #EXECUTABLE}) started headless with a fresh profile and driven over the DevTools
 * protocol ({@link DevToolsClient}): one page, which can be navigated, evaluated and photographed. Its profile lives
 * in a temporary directory that {@link #close()} deletes along with the browser process.
 */
final class HeadlessChromium implements AutoCloseable
{
    static final String EXECUTABLE = "/usr/bin/chromium";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path profile;
    private final Process process;
    private final DevToolsClient devTools;
    private final String session;

    private HeadlessChromium(final Path profile, final Process process, final DevToolsClient devTools,
        final String session)
    {
        this.profile = profile;
        this.process = process;
        this.devTools = devTools;
        this.session = session;
    }

    /**
     * @return whether Chromium is installed where Debian puts it.
     */
    static boolean installed()
    {
        return Files.isExecutable(Path.of(EXECUTABLE));
    }

    /**
     * Start the browser and open one blank page of the given size.
     *
     * @param width  of the page's viewport.
     * @param height of the page's viewport.
     * @param log    where the browser's output goes.
     * @return the browser.
     * @throws Exception if it does not start, or does not open its DevTools port, within a minute.
     */
    static HeadlessChromium start(final int width, final int height, final Path log) throws Exception
    {
        final Path profile = Files.createTempDirectory("ra-live-view-chromium");
        Files.createDirectories(log.toAbsolutePath().getParent());
        final Process process = new ProcessBuilder(List.of(EXECUTABLE, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            "--window-size=" + width + "," + height, "about:blank"))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        DevToolsClient devTools = null;
        try
        {
            final URI webSocket = awaitDevToolsEndpoint(profile, process);
            devTools = DevToolsClient.connect(webSocket);
            final String target = (String)devTools.send(null, "Target.createTarget", Map.of("url", "about:blank"))
                .get("targetId");
            final String session = (String)devTools.send(null, "Target.attachToTarget",
                Map.of("targetId", target, "flatten", true)).get("sessionId");
            devTools.send(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", false));
            devTools.send(session, "Page.enable", Map.of());
            devTools.send(session, "Runtime.enable", Map.of());
            return new HeadlessChromium(profile, process, devTools, session);
        }
        catch (final Exception | AssertionError ex)
        {
            if (null != devTools)
            {
                devTools.close();
            }
            stop(process);
            deleteRecursively(profile);
            throw ex;
        }
    }

    /**
     * Chromium writes its DevTools port and browser path to {@code DevToolsActivePort} in its profile once it listens.
     */
    private static URI awaitDevToolsEndpoint(final Path profile, final Process process) throws Exception
    {
        final Path file = profile.resolve("DevToolsActivePort");
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("chromium exited with status " + process.exitValue() +
                    " before opening its DevTools port");
            }
            if (Files.exists(file))
            {
                final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.size() >= 2 && !lines.get(1).isBlank())
                {
                    return URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromium did not open its DevTools port within " +
            START_TIMEOUT.toSeconds() + " s");
    }

    /**
     * Navigate the page (not waiting for it to load: poll for what should appear with {@link #evaluate}).
     *
     * @param url to open.
     */
    void navigate(final String url)
    {
        devTools.send(session, "Page.navigate", Map.of("url", url));
    }

    /**
     * @param expression JavaScript evaluated in the page.
     * @return its value (JSON-like), or null.
     */
    @SuppressWarnings("unchecked")
    Object evaluate(final String expression)
    {
        final Map<String, Object> result = devTools.send(session, "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true));
        if (result.containsKey("exceptionDetails"))
        {
            throw new IllegalStateException("the page threw: " + result.get("exceptionDetails"));
        }
        return ((Map<String, Object>)result.get("result")).get("value");
    }

    /**
     * @param file to write the PNG screenshot of the page's viewport to.
     * @throws IOException if it cannot be written.
     */
    void screenshot(final Path file) throws IOException
    {
        final String data = (String)devTools.send(session, "Page.captureScreenshot", Map.of("format", "png"))
            .get("data");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close()
    {
        devTools.close();
        stop(process);
        deleteRecursively(profile);
    }

    private static void stop(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(20, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // A profile left in the temporary directory harms nothing; the test's result stands.
        }
    }
}
