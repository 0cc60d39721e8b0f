package dev.ra.examples.gettingstarted;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.lease.KeyValue;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.lease.LeasedKvClient;
import dev.ra.examples.lease.LeasedKvMachine;
import dev.ra.examples.lease.LeasedKvReply;
import dev.ra.examples.lease.LessorHost;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeMachine;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreeReply;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.examples.txn.AccountRef;
import dev.ra.examples.txn.CoordinatorMachine;
import dev.ra.examples.txn.DriverCheckpoint;
import dev.ra.examples.txn.DriverHost;
import dev.ra.examples.txn.ParticipantClient;
import dev.ra.examples.txn.ParticipantMachine;
import dev.ra.examples.txn.TransferClient;
import dev.ra.examples.txn.TransferResult;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.Watcher;
import dev.ra.examples.latch.BarrierClient;
import dev.ra.examples.latch.LatchClient;
import dev.ra.examples.latch.LatchMachine;
import dev.ra.RaProcess;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tasks.Task;
import dev.ra.examples.tasks.TaskClient;
import dev.ra.examples.tasks.TaskQueueMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import dev.ra.testkit.ThreadPerTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.helpers.NOPLogger;

/**
 * The code of docs/toolbox.md, compiled and run on an in-JVM cluster from a node that hosts no member: the document
 * quotes the regions between {@code tag::NAME[]} and {@code end::NAME[]} ({@link DocsQuoteTest} checks that it still
 * does), and each test checks what the document says the code returns.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ToolboxSamplesTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final AtomicInteger printed = new AtomicInteger();
    private final AtomicInteger membersRefreshed = new AtomicInteger();

    @Test
    void theLatchAndBarrierSampleOpensTheLatchAndTripsTheBarrierForItsFourParties() throws Exception
    {
        try (ToolboxCluster world = ToolboxCluster.start("sync", LatchMachine::new))
        {
            final RaSystem system = world.app();
            final List<ServerId> members = world.members();
            // The sample's "elsewhere": three count-downs once the round is set, and the barrier's three other parties.
            final LatchClient others = new LatchClient(system, members);
            final CompletableFuture<Void> countDowns = CompletableFuture.runAsync(() ->
            {
                InJvmCluster.await(() -> others.getCount("start") == 3, WAIT, "the round of 3");
                for (int i = 0; i < 3; i++)
                {
                    others.countDown("start");
                }
            }, ThreadPerTask.EXECUTOR);
            final List<CompletableFuture<Long>> parties = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final BarrierClient party = new BarrierClient(system, members);
                parties.add(CompletableFuture.supplyAsync(() -> party.await("phase", 4, WAIT), ThreadPerTask.EXECUTOR));
            }

            // tag::latch[]
            // On any node that can reach the cluster; the client registers the cluster there if needed.
            final LatchClient latches = new LatchClient(system, members);
            latches.trySetCount("start", 3);                     // true: a new round of 3 begins
            final boolean opened = latches.await("start", Duration.ofSeconds(30));
            latches.countDown("start");                          // elsewhere, three times

            final BarrierClient barriers = new BarrierClient(system, members);
            final long generation = barriers.await("phase", 4, Duration.ofSeconds(30)); // once 4 parties arrived
            // end::latch[]

            countDowns.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(opened).isTrue();
            assertThat(latches.getCount("start")).as("an open latch stays at 0").isZero();
            for (final CompletableFuture<Long> party : parties)
            {
                assertThat(party.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the same generation tripped for all")
                    .isEqualTo(generation);
            }
        }
    }

    /** How a sample wires a node that hosts a member. */
    private interface MemberNode
    {
        RaSystem start(String nodeId, Transport transport, Storage storage, List<LessorHost> lessors);
    }

    /**
     * Three nodes wired by the sample and its cluster started on them, then a node that hosts no member, where the
     * sample's client code runs.
     *
     * @return the node without a member.
     */
    private static RaSystem startWithAppNode(final InJvmNetwork network, final String cluster,
        final MemberNode wiring, final List<ServerId> members, final List<RaSystem> systems,
        final List<LessorHost> lessors)
    {
        for (final String nodeId : List.of("n1", "n2", "n3"))
        {
            systems.add(wiring.start(nodeId, network.newTransport(), new InMemoryStorage(), lessors));
            members.add(new ServerId(cluster, nodeId));
        }
        systems.get(0).startCluster(cluster, cluster, members);
        final RaSystem app = RaSystem.builder().nodeId("app").transport(network.newTransport())
            .storage(new InMemoryStorage()).build();
        systems.add(app);
        return app;
    }

    /** The tree sample's node wiring, run on each of the three nodes that host a member. */
    private static RaSystem startTreeNode(final String nodeId, final Transport transport, final Storage storage,
        final List<LessorHost> lessors)
    {
        // tag::tree-node[]
        // On every node hosting a member: a lessor for the tree's sessions.
        final LessorHost lessor = new LessorHost(new ServerId("tree", nodeId), Duration.ofMillis(100));
        final RaSystem system = RaSystem.builder()
            .nodeId(nodeId).transport(transport).storage(storage)
            .registerMachine("tree", TreeMachine::new)
            .modCallHandler(TreeMachine.DEFAULT_LESSOR_HANDLER, lessor)
            .build();
        lessor.attach(system);
        // end::tree-node[]
        lessors.add(lessor);
        return system;
    }

    @Test
    void theTreeSampleRegistersAServiceTakesTheLockAndMovesAJobInOneMulti() throws Exception
    {
        final List<RaSystem> systems = new ArrayList<>();
        final List<LessorHost> lessors = new ArrayList<>();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final List<ServerId> members = new ArrayList<>();
            final RaSystem system = startWithAppNode(network, "tree", ToolboxSamplesTest::startTreeNode, members,
                systems, lessors);
            final Logger log = NOPLogger.NOP_LOGGER;
            final String me = "api-1";
            final String address = "10.0.0.7:8080";
            final String payload = "job 4";
            final TreeClient setUp = new TreeClient(system, members);
            setUp.create("/config", "v1", CreateMode.PERSISTENT, 0);
            final int expectedVersion = setUp.exists("/config").orElseThrow().version();
            setUp.ensurePath("/queue");
            setUp.ensurePath("/done");
            for (int i = 0; i < 5; i++)
            {
                setUp.create("/queue/job-", "job " + i, CreateMode.PERSISTENT_SEQUENTIAL, 0);
            }

            // tag::tree-client[]
            // On any node, member or not.
            final TreeClient tree = new TreeClient(system, members);
            try (Lease session = tree.openSession(Duration.ofSeconds(5), () -> log.warn("session lost")))
            {
                tree.ensurePath("/services/api");
                tree.create("/services/api/" + me, address, CreateMode.EPHEMERAL, session.id());
                tree.getChildren("/services/api", event -> refreshMembers());      // one-shot watch

                final TreeLock lock = new TreeLock(tree, "/locks/printer", session.id());
                if (lock.acquire(Duration.ofSeconds(10)))
                {
                    try
                    {
                        print();
                    }
                    finally
                    {
                        lock.release();
                    }
                }

                final TreeReply.MultiResult moved = tree.multi(List.of(
                    new TreeOp.Check("/config", expectedVersion),
                    new TreeOp.Delete("/queue/job-0000000004", TreeOp.ANY_VERSION),
                    new TreeOp.Create("/done/job-", payload, CreateMode.PERSISTENT_SEQUENTIAL, 0)));
            }
            // end::tree-client[]

            assertThat(printed).hasValue(1);
            assertThat(tree.getChildren("/queue").orElseThrow()).hasSize(4).doesNotContain("job-0000000004");
            assertThat(tree.getChildren("/done").orElseThrow()).containsExactly("job-0000000000");
            assertThat(tree.getChildren("/locks/printer").orElseThrow()).as("released").isEmpty();
            InJvmCluster.await(() -> tree.getChildren("/services/api").orElseThrow().isEmpty(), WAIT,
                "the ephemeral node gone with its session");
            InJvmCluster.await(() -> membersRefreshed.get() == 1, WAIT, "the one-shot watch fired");
            tree.close();
            setUp.close();
        }
        finally
        {
            systems.forEach(RaSystem::close);
            lessors.forEach(LessorHost::close);
        }
    }

    private void print()
    {
        printed.incrementAndGet();
    }

    private void refreshMembers()
    {
        membersRefreshed.incrementAndGet();
    }

    /** The leases sample's node wiring, run on each of the three nodes that host a member. */
    private static RaSystem startLeaseNode(final String nodeId, final Transport transport, final Storage storage,
        final List<LessorHost> lessors)
    {
        // tag::lease-node[]
        // On every node hosting a member: the lessor, registered under the machine's handler name.
        final LessorHost lessor = new LessorHost(new ServerId("leases", nodeId), Duration.ofMillis(100));
        final RaSystem system = RaSystem.builder()
            .nodeId(nodeId).transport(transport).storage(storage)
            .registerMachine("leases", LeasedKvMachine::new)
            .modCallHandler(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, lessor)
            .build();
        lessor.attach(system);
        // end::lease-node[]
        lessors.add(lessor);
        return system;
    }

    @Test
    void theLeaseSampleKeepsAKeyWhileItsLeaseLivesAndALockIsAConditionalPutBoundToIt()
    {
        final List<RaSystem> systems = new ArrayList<>();
        final List<LessorHost> lessors = new ArrayList<>();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final List<ServerId> members = new ArrayList<>();
            final RaSystem system = startWithAppNode(network, "leases", ToolboxSamplesTest::startLeaseNode, members,
                systems, lessors);
            final Logger log = NOPLogger.NOP_LOGGER;
            final String instanceId = "api-1";
            final String me = "api-1";

            // tag::lease-client[]
            // On any node, member or not: a service registers itself for as long as it lives.
            final LeasedKvClient kv = new LeasedKvClient(system, members);
            final Lease lease = kv.grant(Duration.ofSeconds(5), () -> log.warn("registration lost"));
            kv.put("/services/api/" + instanceId, "10.0.0.7:8080", lease.id());
            // ... lease.close() stops the keep-alives (the key goes one TTL later); kv.revoke(lease.id()) ends it now.
            // end::lease-client[]

            assertThat(kv.get("/services/api/api-1").map(KeyValue::sessionId)).contains(lease.id());
            assertThat(kv.putIf("/locks/printer", 0, me, lease.id())).as("the key is absent")
                .isInstanceOf(LeasedKvReply.Written.class);
            assertThat(kv.putIf("/locks/printer", 0, "other", lease.id())).as("the key is held")
                .isInstanceOf(LeasedKvReply.CompareFailed.class);
            lease.close();
            assertThat(kv.revoke(lease.id()).released()).containsExactlyInAnyOrder("/services/api/api-1",
                "/locks/printer");
            assertThat(kv.range("/")).as("both keys went with the session").isEmpty();

            final Lease shortLease = kv.grant(Duration.ofSeconds(1), () -> { });
            kv.put("/services/api/api-2", "10.0.0.8:8080", shortLease.id());
            shortLease.close();
            InJvmCluster.await(() -> kv.get("/services/api/api-2").isEmpty() ? Optional.of(true) : null, WAIT,
                "the key of a closed lease gone once its TTL passed");
            assertThat(kv.session(shortLease.id())).as("the session expired").isEmpty();
        }
        finally
        {
            systems.forEach(RaSystem::close);
            lessors.forEach(LessorHost::close);
        }
    }

    @Test
    void theTaskQueueSampleListsRequeuesAndPurgesTheDeadLetters()
    {
        try (ToolboxCluster world = ToolboxCluster.start("tasks", (node, builder) ->
        {
            // tag::tasks-node[]
            // Registered by name on every node, the same settings everywhere.
            builder.registerMachine("tasks",
                () -> new TaskQueueMachine(ReleaseCursorPolicy.defaults(), 5, Duration.ofMinutes(2)));
            // end::tasks-node[]
        }))
        {
            final RaSystem system = world.system("n1");
            final List<ServerId> members = world.members();
            final Logger log = NOPLogger.NOP_LOGGER;
            final TaskClient setUp = new TaskClient(system, members);
            final RaProcess enqueuer = system.spawn(message -> { });
            final long fixedId = setUp.enqueue(enqueuer.ref(), "resize photo 17");
            final long hopelessId = setUp.enqueue(enqueuer.ref(), "parse corrupt file");
            for (final long id : List.of(fixedId, hopelessId))
            {
                for (int delivery = 1; delivery <= 5; delivery++)
                {
                    // Each worker takes the task and ends before completing it: the task is given back.
                    final RaProcess worker = system.spawn(message -> { });
                    final Task task = InJvmCluster.await(() -> setUp.grab(worker.ref()).orElse(null), WAIT,
                        "delivery " + delivery + " of task " + id);
                    assertThat(task.id()).isEqualTo(id);
                    worker.close();
                }
                InJvmCluster.await(() -> setUp.isDeadLettered(id), WAIT, "task " + id + " among the dead letters");
            }

            // tag::tasks-client[]
            // On a node that hosts a member: the task client's queries are functions run on that member.
            final TaskClient tasks = new TaskClient(system, members);
            for (final Task dead : tasks.deadLetters())         // oldest first, with the deliveries each had
            {
                log.warn("task {} ({}) failed {} times", dead.id(), dead.detail(), dead.deliveries());
            }
            tasks.requeueDeadLetters(List.of(fixedId));         // after fixing what made it fail
            tasks.purgeDeadLetters(List.of(hopelessId));        // give up: its enqueuer is never told it completed
            // end::tasks-client[]

            assertThat(tasks.deadLetters()).isEmpty();
            assertThat(tasks.isPending(hopelessId)).as("purged").isFalse();
            final RaProcess worker = system.spawn(message -> { });
            final Task requeued = tasks.grab(worker.ref()).orElseThrow();
            assertThat(requeued.id()).isEqualTo(fixedId);
            assertThat(requeued.deliveries()).as("counted afresh: this grab only").isEqualTo(1);
            assertThat(tasks.complete(worker.ref(), fixedId)).isTrue();
            worker.close();
            enqueuer.close();
        }
    }

    private static List<ServerId> membersOf(final String cluster)
    {
        return List.of(new ServerId(cluster, "n1"), new ServerId(cluster, "n2"), new ServerId(cluster, "n3"));
    }

    /** The two-phase commit sample's node wiring, run on each of the three nodes that host a member. */
    private static RaSystem startTxnNode(final String nodeId, final Transport transport, final Storage storage,
        final List<DriverHost> hosts)
    {
        final ServerId localCoordinatorMember = new ServerId("coordinator", nodeId);
        final List<ServerId> bankAMembers = membersOf("bank-a");
        final List<ServerId> bankBMembers = membersOf("bank-b");
        // tag::txn-node[]
        // Node wiring, on every node hosting a coordinator member:
        final DriverHost host = new DriverHost(localCoordinatorMember,
            Map.of("bank-a", bankAMembers, "bank-b", bankBMembers), DriverCheckpoint.NONE);
        final RaSystem system = RaSystem.builder()
            .nodeId(nodeId).transport(transport).storage(storage)
            .registerMachine("coordinator", () -> new CoordinatorMachine(localCoordinatorMember))
            .registerMachine("bank-a", ParticipantMachine::new)
            .registerMachine("bank-b", ParticipantMachine::new)
            .modCallHandler(CoordinatorMachine.DEFAULT_HANDLER, host)
            .build();
        host.attach(system);
        // end::txn-node[]
        hosts.add(host);
        return system;
    }

    @Test
    void theTransferSampleMovesTheMoneyAllOrNothing()
    {
        final List<RaSystem> systems = new ArrayList<>();
        final List<DriverHost> hosts = new ArrayList<>();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            for (final String nodeId : List.of("n1", "n2", "n3"))
            {
                systems.add(startTxnNode(nodeId, network.newTransport(), new InMemoryStorage(), hosts));
            }
            for (final String cluster : List.of("bank-a", "bank-b", "coordinator"))
            {
                systems.get(0).startCluster(cluster, cluster, membersOf(cluster));
            }
            final RaSystem system = RaSystem.builder().nodeId("app").transport(network.newTransport())
                .storage(new InMemoryStorage()).build();
            systems.add(system);
            final List<ServerId> coordinatorMembers = membersOf("coordinator");
            final ParticipantClient bankA = new ParticipantClient(system, membersOf("bank-a"));
            final ParticipantClient bankB = new ParticipantClient(system, membersOf("bank-b"));
            bankA.deposit("alice", 100);
            bankB.deposit("bob", 1);

            // tag::txn-client[]
            // Any node, including one hosting no member:
            final TransferClient transfers = new TransferClient(system, coordinatorMembers);
            final TransferResult result = transfers.transfer(new AccountRef("bank-a", "alice"),
                new AccountRef("bank-b", "bob"), 40, Duration.ofSeconds(30));
            // committed(): the money moved; otherwise nothing changed, and reason() says why
            // end::txn-client[]

            assertThat(result.committed()).as(result.toString()).isTrue();
            assertThat(bankA.account("alice").orElseThrow().balance()).isEqualTo(60);
            assertThat(bankB.account("bob").orElseThrow().balance()).isEqualTo(41);
            final TransferResult tooMuch = transfers.transfer(new AccountRef("bank-a", "alice"),
                new AccountRef("bank-b", "bob"), 100, WAIT);
            assertThat(tooMuch.committed()).isFalse();
            assertThat(tooMuch.reason()).as("says why").isNotBlank();
            assertThat(bankA.account("alice").orElseThrow()).as("nothing changed, nothing reserved")
                .extracting(a -> a.balance(), a -> a.reserved()).containsExactly(60L, 0L);
        }
        finally
        {
            systems.forEach(RaSystem::close);
            hosts.forEach(DriverHost::close);
        }
    }

    @Test
    void theWatchSampleGivesEachChangeOnceInOrder()
    {
        final List<RaSystem> systems = new ArrayList<>();
        final List<LessorHost> lessors = new ArrayList<>();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final List<ServerId> members = new ArrayList<>();
            final RaSystem system = startWithAppNode(network, "leases", ToolboxSamplesTest::startLeaseNode, members,
                systems, lessors);
            final Logger log = NOPLogger.NOP_LOGGER;
            final List<WatchEvent> registry = new CopyOnWriteArrayList<>();
            final LeasedKvClient writer = new LeasedKvClient(system, members);
            writer.put("/services/api/0", "before the watch");
            final Runnable runTheService = () ->
            {
                writer.put("/services/api/1", "10.0.0.7:8080");
                writer.put("/other/key", "not watched");
                writer.delete("/services/api/0");
                InJvmCluster.await(() -> registry.size() == 2, WAIT, "the watcher to hear of both changes");
            };

            // tag::watch[]
            final LeasedKvClient kv = new LeasedKvClient(system, members);
            try (Watcher watcher = Watcher.watch(kv.cluster(), "/services/", 0,
                    batch -> batch.events().forEach(e -> registry.add(e)),      // each revision once, in order
                    compacted -> log.warn("fell behind; resynchronise from a read")))
            {
                runTheService.run();                                             // the watch lasts as long as this
            }
            // end::watch[]

            assertThat(registry).extracting(WatchEvent::key).as("changes after the start, under the prefix, in order")
                .containsExactly("/services/api/1", "/services/api/0");
        }
        finally
        {
            systems.forEach(RaSystem::close);
            lessors.forEach(LessorHost::close);
        }
    }
}
