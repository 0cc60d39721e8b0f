package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Starting a member with {@code startServer} registered the member list given with it on the calling node, over what
 * that node knew of those members: a list naming a member of another cluster (a mistake), or a stale list (the
 * initial members of a {@code RaCluster} handle, passed by its {@code addMember}), replaced the node's knowledge
 * of them, so that its calls to them, meanwhile, used the wrong cluster, machine and codecs.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StartKeepsWhatTheNodeKnowsTest
{
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final CountDownLatch releaseStart = new CountDownLatch(1);
    private final CountDownLatch startReached = new CountDownLatch(1);
    private final InJvmCluster nodes = new InJvmCluster(List.of("n1", "n2", "n3", "n4", "n5"), (node, builder) ->
        builder.registerMachine("slow", () ->
        {
            if ("n5".equals(node))
            {
                // The start on n5 is under way until the test has made its call.
                startReached.countDown();
                awaitRelease();
            }
            return new CounterMachine();
        }));

    @AfterEach
    void close()
    {
        releaseStart.countDown();
        nodes.close();
    }

    @Test
    void aStartWithAWrongMemberListLeavesTheMembersOfAnotherClusterAsTheNodeKnowsThem() throws Exception
    {
        final List<ServerId> kv = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), kv);
        final RaSystem client = nodes.system("n4");
        client.registerCluster("kv", new KvMachine(), kv);
        client.processCommand(kv.get(0), new KvMachine.Put("a", "1"), CALL_TIMEOUT);

        final ServerId other = new ServerId("other", "n5");
        final ExecutorService starter = Executors.newSingleThreadExecutor();
        try
        {
            starter.execute(() -> client.startServer("other", "slow", other, List.of(kv.get(0), other)));
            assertThat(startReached.await(30, TimeUnit.SECONDS)).as("the start under way on n5").isTrue();
            assertThat(client.processCommand(kv.get(0), new KvMachine.Put("b", "2"), CALL_TIMEOUT).leader())
                .isIn(kv);
        }
        finally
        {
            releaseStart.countDown();
            starter.shutdown();
        }
    }

    private void awaitRelease()
    {
        try
        {
            releaseStart.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
