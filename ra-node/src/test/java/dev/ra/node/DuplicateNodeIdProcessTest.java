package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.testkit.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator copies n1's settings to start a node on another port and forgets to change {@code node.id}: two
 * launched processes claim n1. The second is refused by the peer, and both say so in their logs, naming the node id
 * and both addresses; the peer keeps its one connection to the first. Before, the peer took the second process for n1,
 * and the two replaced each other's connection at each redial.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DuplicateNodeIdProcessTest
{
    private static final Pattern OPENED = Pattern.compile("[ \\[]connectionsOpened=(\\d+)");
    private static final Pattern REFUSED = Pattern.compile("connectionsRefused=(\\d+)");
    private static final long WAIT_MILLIS = 60_000;

    @TempDir
    Path dir;

    @Test
    void aSecondLaunchedProcessWithTheSameNodeIdIsRefusedAndLogsWhy() throws Exception
    {
        final int n1Port = LoopbackPorts.freePort();
        final int n2Port = LoopbackPorts.freePort();
        final int secondPort = LoopbackPorts.freePort();
        final List<String> common = List.of("reconnect.backoff.ms=20-200", "native.transport=false",
            "heartbeat.ms=500", "failure.timeout.ms=30000");
        try (NodeJvm n2 = node("n2", n2Port, "n1=127.0.0.1:" + n1Port, common, "n2.log");
            NodeJvm n1 = node("n1", n1Port, "n2=127.0.0.1:" + n2Port, common, "n1.log"))
        {
            awaitTrue(() -> count(OPENED, n2) > 0, "n2 to connect to n1");
            final long openedBefore = count(OPENED, n2);
            try (NodeJvm second = node("n1", secondPort, "n2=127.0.0.1:" + n2Port, common, "second.log"))
            {
                final String refused = "another process runs node n1 (run ";
                final Path secondLog = dir.resolve("second.log");
                awaitTrue(() -> Files.readString(secondLog).contains("n2 refused this node: " + refused) ||
                    count(OPENED, n2) >= openedBefore + 3, "the second process to be refused, or to take n1's place");
                assertThat(Files.readString(secondLog))
                    .as("the second process's log (n2 opened %d connections with n1 since it started)",
                        count(OPENED, n2) - openedBefore)
                    .contains("n2 refused this node: " + refused)
                    .contains("listening on 127.0.0.1:" + n1Port).contains("listening on 127.0.0.1:" + secondPort);
                awaitTrue(() -> Files.readString(dir.resolve("n2.log")).contains(refused), "n2 to log the refusal");
                assertThat(Files.readString(dir.resolve("n2.log"))).contains("listening on 127.0.0.1:" + n1Port)
                    .contains("listening on 127.0.0.1:" + secondPort);
                // The second process dials again and again: n2 refuses it each time and keeps its connections to n1.
                final long opened = count(OPENED, n2);
                final long refusals = count(REFUSED, n2);
                awaitTrue(() -> count(REFUSED, n2) >= refusals + 3, "n2 to refuse the second process again");
                assertThat(count(OPENED, n2)).as("connections n2 opened with n1").isEqualTo(opened);
                assertThat(second.isAlive()).as("the second process, refused, runs on").isTrue();
            }
        }
    }

    private NodeJvm node(final String id, final int port, final String peers, final List<String> common,
        final String log)
    {
        final List<String> settings = new java.util.ArrayList<>(common);
        settings.add("listen=127.0.0.1:" + port);
        settings.add("peers=" + peers);
        return new NodeJvm(id, NodeLauncher.class.getName(), List.of(), settings, dir.resolve(log)).start();
    }

    private static long count(final Pattern counter, final NodeJvm node)
    {
        final Matcher m = counter.matcher(node.command("stats").get(0));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(final Condition condition, final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.holds())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
