package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live view in a real headless Chromium shows the servers stored on its node whose restart failed, with the
 * reason, in a panel of their own that is hidden while there is none. The page showed nothing of them, although it is
 * where an operator looks while one member of a cluster is missing. The server's cluster and its machine are named
 * with markup in them: the page must show it as text, never as elements.
 *
 * <p>Needs {@value HeadlessChromium#EXECUTABLE}, as {@link LiveViewBrowserTest} does.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FailedRestartBrowserTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MACHINE = "kv<b>plugin</b>";
    private static final ServerId HEALTHY = new ServerId("healthy", "a");
    private static final ServerId PLUGIN = new ServerId("plugin<i>x</i>", "a");
    private static final Path LOGS = Path.of("target", "failed-restart-view-logs");

    /** What the page shows of the panel, as JSON text. */
    private static final String READ_PANEL = """
        (() => {
          const list = document.getElementById('not-restarted');
          const panel = document.getElementById('failed-restarts');
          return JSON.stringify({
            cluster: document.querySelector('section[data-cluster="healthy"]') !== null,
            servers: list ? list.dataset.servers : null,
            hidden: panel ? panel.hidden : null,
            items: list ? [...list.querySelectorAll('li[data-server]')].map(li => ({ server: li.dataset.server,
              text: li.textContent })) : [],
            markup: document.querySelectorAll('b, i').length });
        })()
        """;

    @Test
    void thePageListsAStoredServerThatDidNotRestartWithTheReasonAsTextAndHidesThePanelOnceItIsDeleted()
        throws Exception
    {
        if (Boolean.getBoolean("ra.browser.skip"))
        {
            Assumptions.abort("skipped: -Dra.browser.skip=true (the live view's browser test needs " +
                HeadlessChromium.EXECUTABLE + ")");
        }
        if (!HeadlessChromium.installed())
        {
            fail(HeadlessChromium.EXECUTABLE + " is missing: install Debian's chromium package (.ci/run does), or " +
                "run with -Dra.browser.skip=true to skip this test locally");
        }
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .registerMachine(MACHINE, KvMachine::new).closeStorage(false).build())
            {
                first.startCluster(HEALTHY.name(), new KvMachine(), List.of(HEALTHY));
                first.startCluster(PLUGIN.name(), MACHINE, List.of(PLUGIN));
            }
            // Built again without the machine, as after an upgrade whose machines= left it out.
            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .build();
                AdminServer admin = AdminServer.builder().system(second).build();
                HeadlessChromium browser = HeadlessChromium.start(1400, 720, LOGS.resolve("chromium.log")))
            {
                admin.start();
                InJvmCluster.await(() -> null != second.leader(HEALTHY), WAIT, "healthy to lead");
                browser.navigate(admin.url());
                final Map<String, Object> shown = awaitPanel(browser, panel -> Boolean.TRUE.equals(panel.get(
                    "cluster")) && PLUGIN.toString().equals(panel.get("servers")), "the page to list " + PLUGIN +
                    " as not restarted");
                assertThat(shown.get("hidden")).as("the panel's hidden flag in %s", shown).isEqualTo(false);
                assertThat(items(shown)).singleElement().satisfies(item ->
                {
                    assertThat(item.get("server")).isEqualTo(PLUGIN.toString());
                    assertThat((String)item.get("text")).startsWith(PLUGIN + ": ").contains(MACHINE);
                });
                assertThat(shown.get("markup")).as("elements made of the names' markup").isEqualTo(0L);
                browser.screenshot(LOGS.resolve("failed-restart-view.png"));

                second.forceDeleteServer(PLUGIN);
                final Map<String, Object> cleared = awaitPanel(browser, panel -> "".equals(panel.get("servers")),
                    "the page to drop the deleted server");
                assertThat(cleared.get("hidden")).as("the panel's hidden flag in %s", cleared).isEqualTo(true);
                assertThat(items(cleared)).isEmpty();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitPanel(final HeadlessChromium browser,
        final Predicate<Map<String, Object>> shows, final String what)
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Object> panel = Map.of();
        while (System.nanoTime() < deadline)
        {
            final Object text = browser.evaluate(READ_PANEL);
            panel = text instanceof String json ? (Map<String, Object>)JsonReader.read(json) : Map.of();
            if (shows.test(panel))
            {
                return panel;
            }
            sleep(100);
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what +
            "; the page shows " + panel);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(final Map<String, Object> panel)
    {
        return (List<Map<String, Object>>)panel.get("items");
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
