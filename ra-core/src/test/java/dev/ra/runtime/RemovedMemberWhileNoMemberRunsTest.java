package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ClusterUnavailableException;
import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command addressed to a member removed from its cluster goes on to the member its removal names, and while no
 * member runs it fails once its timeout passes, as not applied. The call went from the member named, found not
 * running, back to the removed one, which named it again: on and on, on one thread, until its stack overflowed. On
 * the removed member's own node the call was sent on without its timeout armed (the node answers for its deleted
 * server before starting the call): it asked until its deadline, then never completed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemovedMemberWhileNoMemberRunsTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final List<ServerId> MEMBERS = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));
    private static final ServerId REMOVED = MEMBERS.get(0);

    private final InJvmCluster nodes = new InJvmCluster(4);

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aCommandFromAClientNodeToTheRemovedMemberFailsAsNotApplied() throws InterruptedException
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), MEMBERS);
        final RaSystem client = nodes.system("n4");
        client.registerCluster("kv", new KvMachine(), MEMBERS);
        client.processCommand(REMOVED, new KvMachine.Put("k", "0"), TIMEOUT);
        removeTheFirstMemberAndStopTheOthers();

        assertFailsAsNotApplied(client.processCommandAsync(REMOVED, new KvMachine.Put("k", "1"),
            Duration.ofSeconds(1)));
    }

    @Test
    void aCommandOnTheRemovedMembersNodeToItFailsAsNotApplied() throws InterruptedException
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), MEMBERS);
        removeTheFirstMemberAndStopTheOthers();

        assertFailsAsNotApplied(nodes.system("n1").processCommandAsync(REMOVED, new KvMachine.Put("k", "1"),
            Duration.ofSeconds(1)));
    }

    private void removeTheFirstMemberAndStopTheOthers()
    {
        nodes.system("n2").removeMember(MEMBERS.get(1), REMOVED);
        InJvmCluster.await(() -> !nodes.system(REMOVED).isRunning(REMOVED), TIMEOUT, REMOVED + " to stop");
        for (final ServerId member : MEMBERS.subList(1, MEMBERS.size()))
        {
            nodes.system(member).stopServer(member);
        }
    }

    /**
     * Waits far longer than the call's timeout of one second: the call must have completed by then.
     */
    private static void assertFailsAsNotApplied(final CompletableFuture<CommandResult<Object>> call)
        throws InterruptedException
    {
        try
        {
            call.get(60, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            assertThat(ex.getCause()).isInstanceOf(ClusterUnavailableException.class);
            return;
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError("the call, given 1 s, had not completed after 60 s", ex);
        }
        throw new AssertionError("the command was applied while no member ran");
    }
}
