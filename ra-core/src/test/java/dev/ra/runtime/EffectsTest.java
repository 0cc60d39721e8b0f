package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.WatcherMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EffectsTest
{
    private final List<Object> modCalls = new CopyOnWriteArrayList<>();
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.modCallHandler("record", modCalls::add));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    private List<String> events(final ServerId server)
    {
        return cluster.system(server).<WatcherMachine.State, List<String>>consistentQuery(server,
            WatcherMachine.State::events).result();
    }

    @Test
    void closingAMonitoredProcessMakesTheLeaderAppendDown()
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final RaSystem n1 = cluster.first();
        final RaProcess local = n1.spawn(m -> { });
        final RaProcess remote = cluster.system("n3").spawn(m -> { });
        final RaProcess failing = cluster.system("n2").spawn(m -> { });
        n1.processCommand(members.get(0), new WatcherMachine.Watch(local.ref()));
        n1.processCommand(members.get(0), new WatcherMachine.Watch(remote.ref()));
        n1.processCommand(members.get(0), new WatcherMachine.Watch(failing.ref()));

        local.close();
        remote.close();
        failing.fail();

        InJvmCluster.await(() -> events(members.get(0)).size() == 3, Duration.ofSeconds(10), "three downs");
        assertThat(events(members.get(0))).containsExactlyInAnyOrder("down " + local.ref() + " NORMAL",
            "down " + remote.ref() + " NORMAL", "down " + failing.ref() + " ERROR");
    }

    @Test
    void aMonitoredProcessOnAnUnreachableNodeIsReportedDownWithNoconnection()
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId other = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaProcess remote = cluster.system(other).spawn(m -> { });
        cluster.system(leader).processCommand(leader, new WatcherMachine.Watch(remote.ref()));

        cluster.network().partition(leader.node(), other.node());

        InJvmCluster.await(() -> events(leader).contains("down " + remote.ref() + " NOCONNECTION"),
            Duration.ofSeconds(10), "noconnection");
    }

    @Test
    void monitoringAProcessThatDoesNotExistYieldsNoproc()
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ProcessRef ghost = new ProcessRef("n2", 1);

        cluster.first().processCommand(members.get(0), new WatcherMachine.Watch(ghost));

        InJvmCluster.await(() -> events(members.get(0)).contains("down " + ghost + " NOPROC"),
            Duration.ofSeconds(10), "noproc");
    }

    @Test
    void timersFireOnTheLeaderAndAreReissuedAfterALeaderChange() throws InterruptedException
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId client = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem node = cluster.system(client);
        node.processCommand(client, new WatcherMachine.Arm("quick", 50));
        InJvmCluster.await(() -> events(client).contains("timeout quick"), Duration.ofSeconds(10), "quick timer");

        // A long timer armed on one leader must be re-armed by the next (stateEnter LEADER re-issues it).
        node.processCommand(client, new WatcherMachine.Arm("slow", 1500));
        cluster.system(leader).stopServer(leader);
        final List<ServerId> live = new ArrayList<>(members);
        live.remove(leader);
        cluster.awaitLeader(live, Duration.ofSeconds(10));

        InJvmCluster.await(() -> events(client).contains("timeout slow"), Duration.ofSeconds(10),
            "the slow timer on the new leader");
        assertThat(events(client)).containsOnlyOnce("timeout slow");
    }

    /**
     * A timer set "for ever" (Long.MAX_VALUE ms, a valid delay) never fires, and holds back none of the timers of the
     * leader's event loop behind it.
     */
    @Test
    void aTimerOfTheLongestDelayNeverFiresAndHoldsBackNoOtherTimer()
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final RaSystem node = cluster.system(leader);

        node.processCommand(leader, new WatcherMachine.Arm("never", Long.MAX_VALUE));
        node.processCommand(leader, new WatcherMachine.Arm("quick", 50));

        InJvmCluster.await(() -> events(leader).contains("timeout quick"), Duration.ofSeconds(10),
            "the 50 ms timer armed after a timer of Long.MAX_VALUE ms");
        assertThat(events(leader)).doesNotContain("timeout never");
    }

    @Test
    void monitorsAreReissuedByTheNewLeaderAndStateEnterEffectsRunOnLeadersOnly() throws InterruptedException
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId client = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem node = cluster.system(client);
        final BlockingQueue<Object> observed = new LinkedBlockingQueue<>();
        final RaProcess observer = node.spawn(observed::add);
        final RaProcess watched = node.spawn(m -> { });
        node.processCommand(client, new WatcherMachine.Observe(observer.ref()));
        node.processCommand(client, new WatcherMachine.Watch(watched.ref()));
        // The leader replied once it applied the Watch: the new leader must apply that far before the process ends,
        // or it would monitor a process already gone (NOPROC).
        final long watchApplied = cluster.system(leader).overview(leader).lastApplied();

        cluster.system(leader).stopServer(leader);
        final List<ServerId> live = new ArrayList<>(members);
        live.remove(leader);
        final ServerId newLeader = cluster.awaitLeader(live, Duration.ofSeconds(10));
        assertThat(observed.poll(10, TimeUnit.SECONDS)).isEqualTo("enter LEADER");
        // The new leader learns of the process's end through the monitor it re-issued on election.
        InJvmCluster.await(() -> cluster.system(newLeader).overview(newLeader).lastApplied() >= watchApplied,
            Duration.ofSeconds(5), "the new leader to apply the Watch");
        watched.close();

        assertThat(observed.poll(10, TimeUnit.SECONDS)).isEqualTo("down " + watched.ref() + " NORMAL");
        assertThat(observed).doesNotContain("enter FOLLOWER");
    }

    @Test
    void sendMsgReachesProcessesOnAnyNodeAndModCallRunsTheRegisteredHandler() throws InterruptedException
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final RaProcess remote = cluster.system("n3").spawn(inbox::add);

        cluster.first().processCommand(members.get(0), new WatcherMachine.Tell(remote.ref(), "hello"));

        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    @Test
    void aNewNodeMonitorReportsTheNodeUpAtOnceAndAWatchAlreadySetReportsNothingMore()
    {
        // A machine that was told a process is unreachable watches its node to hear when it is back; when the node
        // came back before the watch was set, only the watch's first report can tell it.
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId other = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem node = cluster.system(leader);
        node.processCommand(leader, new WatcherMachine.WatchNode(other.node()));
        InJvmCluster.await(() -> events(leader).contains("nodeup " + other.node()), Duration.ofSeconds(10),
            "nodeup at once");

        node.processCommand(leader, new WatcherMachine.WatchNode(other.node()));
        node.processCommand(leader, new WatcherMachine.Tell(node.spawn(m -> { }).ref(), "flush"));
        assertThat(events(leader)).containsExactly("nodeup " + other.node());
    }

    @Test
    void nodeMonitorsReportNodeDownAndUp()
    {
        final List<ServerId> members = cluster.startCluster("w", new WatcherMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId other = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem node = cluster.system(leader);
        node.processCommand(leader, new WatcherMachine.WatchNode(other.node()));

        cluster.network().partition(leader.node(), other.node());
        InJvmCluster.await(() -> events(leader).contains("nodedown " + other.node()), Duration.ofSeconds(10),
            "nodedown");
        cluster.network().heal(leader.node(), other.node());

        InJvmCluster.await(() -> events(leader).contains("nodeup " + other.node()), Duration.ofSeconds(10),
            "nodeup");
    }
}
