package dev.ra.examples.demo;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.group.GroupClient;
import dev.ra.examples.kv.KvClient;
import dev.ra.examples.kv.KvReply;
import dev.ra.examples.leader.Companion;
import dev.ra.examples.lock.FencedLock;
import dev.ra.examples.lock.FencingTokenValidator;
import dev.ra.examples.lock.LockClient;
import dev.ra.examples.lock.LockEntry;
import dev.ra.examples.tasks.Task;
import dev.ra.examples.tasks.TaskClient;
import dev.ra.examples.tasks.TaskCompleted;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeEventType;
import dev.ra.examples.tree.TreeWatchMessage;
import dev.ra.node.NodeJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The distributed toolbox on a real 3-node cluster, narrated: members and leaders, KV writes and reads, two clients
 * contending for a lock with growing fencing tokens, a group whose members exit or crash and disappear, a task whose
 * worker dies and is redone, a session whose ephemeral tree node goes, seen by a watch, when its JVM is killed, then
 * the leader's node is killed with {@code kill -9} and the toolbox keeps working.
 *
 * <p>Topology, all on loopback with Netty and with ra-log ({@code FileStorage}) in a temporary directory that is
 * deleted at the end (kept, and named, if the run fails):
 * <ul>
 *   <li>{@code n1}: a {@link ToolboxNode} in this JVM, where the clients run (toolbox clients query a local
 *       member);</li>
 *   <li>{@code n2}, {@code n3}: {@link ToolboxNode}s in child JVMs ({@link NodeJvm}), so that killing the leader is a
 *       real {@code kill -9};</li>
 *   <li>{@code app}: a child JVM that hosts no member, only application processes (group members, a task
 *       worker, a tree session), killed and restarted to show what the machines do with processes that die with
 *       their node.</li>
 * </ul>
 * Every wait is bounded and a watchdog ends the run after {@value #WATCHDOG_SECONDS} s; the exit status is 0 only if
 * everything narrated happened. Run from the repository root:
 * <pre>
 * bash demo.sh
 * </pre>
 * which builds the modules and runs
 * {@code java -cp <ra-examples' runtime class path> dev.ra.examples.demo.ToolboxDemo}; no JVM flags are needed.
 *
 * <p>With {@code --admin-port N} ({@code bash demo.sh --admin-port 8080}), {@code n1} also serves its admin endpoint
 * and live view ({@code dev.ra.admin.AdminServer}) on {@code http://127.0.0.1:N/}, with {@code n2} and {@code n3}
 * serving theirs on free ports as its peers, so that the page shows every member's numbers. The leader killed is
 * never {@code n1}'s, so the page stays up through the failover: the demo pauses {@value #ADMIN_PAUSE_SECONDS} s
 * before the kill for the viewer to find the leader, and at the end keeps the page up until Enter is pressed (at most
 * {@value #ADMIN_LINGER_SECONDS} s).
 */
public final class ToolboxDemo
{
    private static final Set<Integer> PORTS_HANDED_OUT = new HashSet<>();

    private static final long WATCHDOG_SECONDS = 120;
    private static final long ADMIN_PAUSE_SECONDS = 8;
    private static final long ADMIN_LINGER_SECONDS = 120;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> RA_NODES = List.of("n1", "n2", "n3");
    /**
     * A thread per task for what the demo does while it waits for something else (children starting together, a
     * client queued for a lock): CompletableFuture's default executor has a single thread on a two-processor machine
     * from JDK 25 on, where such tasks would wait for each other.
     */
    private static final Executor BACKGROUND = task ->
    {
        final Thread thread = new Thread(task, "demo-background");
        thread.setDaemon(true);
        thread.start();
    };
    private static final List<String> DEMO_CLUSTERS = List.of(ToolboxNode.KV, ToolboxNode.GROUPS, ToolboxNode.LOCKS,
        ToolboxNode.TASKS, ToolboxNode.LEADER, ToolboxNode.TREE);

    private final long startNanos = System.nanoTime();
    private final Path dataDir;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, NodeJvm> children = new LinkedHashMap<>();
    private final Map<String, Long> lastAnnouncedEpoch = new LinkedHashMap<>();
    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    private final Integer adminPort;
    private ToolboxNode n1;

    private ToolboxDemo(final Path dataDir, final Integer adminPort)
    {
        this.dataDir = dataDir;
        this.adminPort = adminPort;
    }

    /**
     * @param args the command line: nothing, or {@code --admin-port N}.
     * @return the admin port asked for, or null.
     * @throws IllegalArgumentException naming what is wrong with the command line.
     */
    static Integer adminPort(final String[] args)
    {
        if (args.length == 0)
        {
            return null;
        }
        if (args.length != 2 || !"--admin-port".equals(args[0]))
        {
            throw new IllegalArgumentException("usage: ToolboxDemo [--admin-port N], got " + String.join(" ", args));
        }
        try
        {
            final int port = Integer.parseInt(args[1]);
            if (port < 0 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return port;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--admin-port takes a port number from 0 to 65535, got " + args[1]);
        }
    }

    /**
     * Run the demo; exits with 0 on success, 1 on failure or when the watchdog fires, 2 for a bad command line.
     *
     * @param args nothing, or {@code --admin-port N} to serve the live view on that port.
     */
    public static void main(final String[] args)
    {
        final Integer adminPort;
        try
        {
            adminPort = adminPort(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.out.println("[demo] " + ex.getMessage());
            System.exit(2);
            return;
        }
        final long watchdogSeconds = WATCHDOG_SECONDS + (null == adminPort ? 0 :
            ADMIN_PAUSE_SECONDS + ADMIN_LINGER_SECONDS);
        // Only errors from this JVM's node interrupt the narration; the child JVMs log (at WARN) to files.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        final Thread watchdog = new Thread(() ->
        {
            sleep(Duration.ofSeconds(watchdogSeconds));
            System.out.println("[demo] FAILED: still running after " + watchdogSeconds + " s; giving up");
            Runtime.getRuntime().halt(1);
        }, "demo-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int status = 1;
        Path dataDir = null;
        ToolboxDemo demo = null;
        try
        {
            dataDir = Files.createTempDirectory("ra-toolbox-demo");
            demo = new ToolboxDemo(dataDir, adminPort);
            demo.run();
            status = 0;
        }
        catch (final Throwable ex)
        {
            System.out.println("[demo] FAILED: " + ex);
            ex.printStackTrace(System.err);
        }
        finally
        {
            if (null != demo)
            {
                demo.shutdown();
            }
            if (0 == status || null == dataDir)
            {
                deleteRecursively(dataDir);
            }
            else
            {
                // What went wrong is in the nodes' logs and data: keep them for whoever looks into it.
                System.out.println("[demo] data and the nodes' logs kept in " + dataDir);
            }
        }
        if (0 == status)
        {
            System.out.println("[demo] done in " + (System.nanoTime() - demo.startNanos) / 1_000_000 / 1000.0 +
                " s; data directory deleted");
        }
        System.exit(status);
    }

    private void run() throws Exception
    {
        final Stream<String> allNodes = Stream.concat(RA_NODES.stream(), Stream.of("app"));
        allNodes.forEach(node -> ports.put(node, freePort()));
        if (null != adminPort)
        {
            List.of("n2", "n3").forEach(node -> adminPorts.put(node, freePort()));
        }
        section("Cluster");
        startNodes();
        if (null != adminPort)
        {
            startLiveView();
        }
        final RaSystem system = n1.system();
        final Map<String, ServerId> leaders = new LinkedHashMap<>();
        for (final String cluster : DEMO_CLUSTERS)
        {
            // The first member listed campaigns first; n2 leads at first, so that killing it later is a real kill -9.
            leaders.put(cluster, system.startCluster(cluster, cluster, ToolboxNode.members(cluster,
                List.of("n2", "n3", "n1"))));
        }
        for (final String cluster : DEMO_CLUSTERS)
        {
            leaders.put(cluster, leadFrom("n2", cluster, leaders.get(cluster)));
            say("cluster %-7s members %s, leader %s", cluster, system.members(new ServerId(cluster, "n1")),
                leaders.get(cluster));
        }

        final String companionNode = leaders.get(ToolboxNode.LEADER).node();
        final long epoch = await(() -> companionEpochOn(companionNode) > 0 ? companionEpochOn(companionNode) : null,
            "the follow-the-leader companion to start");
        say("follow-the-leader: the companion runs next to the leader, on %s, with epoch %d", companionNode, epoch);

        final KvClient kv = new KvClient(system, ToolboxNode.members(ToolboxNode.KV, RA_NODES));
        final LockClient locks = new LockClient(system, ToolboxNode.members(ToolboxNode.LOCKS, RA_NODES));
        final GroupClient groups = new GroupClient(system, ToolboxNode.members(ToolboxNode.GROUPS, RA_NODES));
        final TaskClient tasks = new TaskClient(system, ToolboxNode.members(ToolboxNode.TASKS, RA_NODES));
        final FencingTokenValidator printer = new FencingTokenValidator();

        keyValue(kv);
        final FencedLock heldByB = lockContention(locks, printer);
        groupsAndTasks(groups, tasks);
        sessionsWatchesAndTree();
        leaderKilled(kv, locks, groups, tasks, printer, heldByB);
        if (null != adminPort)
        {
            lingerForTheViewer();
        }
    }

    /**
     * Serve n1's live view, with n2's and n3's admin endpoints as its peers.
     */
    private void startLiveView()
    {
        final List<String> peers = new ArrayList<>();
        adminPorts.forEach((node, port) -> peers.add(node + "=http://127.0.0.1:" + port + "/"));
        final String url = n1.startAdmin(Map.of("admin.port", String.valueOf(adminPort), "admin.peers",
            String.join(",", peers)));
        say("live view: open %s in a browser (n1's admin endpoint; n2's and n3's answer on ports %s)", url,
            adminPorts.values());
    }

    /**
     * Keep the page up after the narration, until Enter or the linger time is over.
     */
    private void lingerForTheViewer()
    {
        section("Live view");
        say("the live view stays up for %d s; press Enter to end now", ADMIN_LINGER_SECONDS);
        final CompletableFuture<Void> enter = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                System.in.read();
            }
            catch (final IOException ex)
            {
                // No console: the linger time ends the wait.
            }
            enter.complete(null);
        }, "demo-enter");
        reader.setDaemon(true);
        reader.start();
        try
        {
            enter.get(ADMIN_LINGER_SECONDS, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            // Time is up.
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hand a cluster's leadership to a member on {@code node} (a child JVM, so that the leader can later be killed
     * with kill -9); if the hand-over does not happen in time, the leader stays where it is.
     */
    private ServerId leadFrom(final String node, final String cluster, final ServerId leader)
    {
        final ServerId target = new ServerId(cluster, node);
        if (target.equals(leader))
        {
            return leader;
        }
        try
        {
            n1.system().transferLeadership(leader, target);
            return await(() -> target.equals(leaderOf(cluster)) ? target : null, cluster + "'s leader to be " +
                target);
        }
        catch (final RuntimeException | AssertionError ex)
        {
            return leaderOf(cluster);
        }
    }

    private void startNodes() throws Exception
    {
        final List<CompletableFuture<NodeJvm>> starting = new ArrayList<>();
        for (final String node : List.of("n2", "n3", "app"))
        {
            final List<String> settings = new ArrayList<>(settingsOf(node));
            if (!"app".equals(node))
            {
                settings.add("data.dir=" + dataDir.resolve(node));
            }
            if (adminPorts.containsKey(node))
            {
                settings.add("admin.port=" + adminPorts.get(node));
            }
            final NodeJvm child = ToolboxNode.childJvm(node, settings,
                dataDir.resolve("logs").resolve(node + ".log"));
            children.put(node, child);
            starting.add(CompletableFuture.supplyAsync(child::start, BACKGROUND));
        }
        final List<String> n1Settings = new ArrayList<>(settingsOf("n1"));
        n1Settings.add("node.id=n1");
        n1Settings.add("data.dir=" + dataDir.resolve("n1"));
        n1 = ToolboxNode.start(n1Settings.toArray(String[]::new), new Companion()
        {
            @Override
            public void start(final long epoch)
            {
                say("companion started on n1 (this JVM) with epoch %d", epoch);
            }

            @Override
            public void stop(final long epoch)
            {
                say("companion on n1 stopped (epoch %d)", epoch);
            }
        });
        for (final CompletableFuture<NodeJvm> start : starting)
        {
            start.get(60, TimeUnit.SECONDS);
        }
        say("n1 in this JVM (pid %d) on 127.0.0.1:%d, data in %s", ProcessHandle.current().pid(), ports.get("n1"),
            dataDir.resolve("n1"));
        for (final NodeJvm child : children.values())
        {
            say("%-3s in its own JVM (pid %d) on 127.0.0.1:%d%s", child.nodeId(), child.pid(),
                ports.get(child.nodeId()), "app".equals(child.nodeId()) ? ", hosting application processes only" :
                ", data in " + dataDir.resolve(child.nodeId()));
        }
        await(() -> Stream.of("n2", "n3", "app").allMatch(n1.transport()::isReachable), "n1 to reach every node");
    }

    private List<String> settingsOf(final String node)
    {
        final List<String> peers = new ArrayList<>();
        ports.forEach((id, port) ->
        {
            if (!id.equals(node))
            {
                peers.add(id + "=127.0.0.1:" + port);
            }
        });
        return List.of("listen=127.0.0.1:" + ports.get(node), "peers=" + String.join(",", peers),
            "cluster.id=toolbox-demo", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=300",
            "failure.timeout.ms=4000", "leader.grace.ms=1500");
    }

    private void keyValue(final KvClient kv)
    {
        section("Key-value store");
        final KvReply.Written color = kv.put("color", "blue");
        say("put color=blue -> revision %d", color.revision());
        final KvReply.Written shape = kv.put("shape", "circle");
        say("put shape=circle -> revision %d", shape.revision());
        final KvReply.CasResult swapped = kv.cas("color", "blue", "green");
        say("cas color blue->green -> swapped=%s (was %s), revision %d", swapped.swapped(), swapped.previous(),
            swapped.revision());
        final KvReply.CasResult refused = kv.cas("color", "blue", "red");
        say("cas color blue->red -> swapped=%s (it is %s)", refused.swapped(), refused.previous());
        check(swapped.swapped() && !refused.swapped(), "compare-and-set");
        say("get color -> %s (linearizable read on n1)", kv.get("color").orElse("<absent>"));
        say("get size  -> %s", kv.get("size").orElse("<absent>"));
        say("localGet shape on n1 -> %s (may be stale, no round trip)", kv.localGet("shape").orElse("<absent>"));
    }

    private FencedLock lockContention(final LockClient locks, final FencingTokenValidator printer) throws Exception
    {
        section("Lock with fencing tokens");
        final FencedLock a = locks.tryLock("printer", WAIT).orElseThrow(() -> new AssertionError("A got no lock"));
        say("client A holds lock 'printer' with token %d", a.token());
        say("printer accepts A's job with token %d: %s", a.token(), printer.tryAccept("printer", a.token()));
        final CompletableFuture<Optional<FencedLock>> b = CompletableFuture.supplyAsync(() ->
            locks.tryLock("printer", WAIT), BACKGROUND);
        final LockEntry queued = await(() -> locks.lockInfo("printer").filter(e -> !e.waiters().isEmpty())
            .orElse(null), "client B to queue for the lock");
        say("client B asks for it too and waits in line (waiters: %s)", queued.waiters());
        a.close();
        say("client A releases the lock");
        final FencedLock lockB = b.get(WAIT.toSeconds(), TimeUnit.SECONDS)
            .orElseThrow(() -> new AssertionError("B got no lock"));
        say("client B is told it holds the lock, token %d (> %d)", lockB.token(), a.token());
        check(lockB.token() > a.token(), "fencing tokens increase");
        say("printer accepts B's job with token %d: %s", lockB.token(), printer.tryAccept("printer", lockB.token()));
        final boolean late = printer.tryAccept("printer", a.token());
        say("a late job from A with stale token %d: %s", a.token(), late ? "accepted" : "rejected");
        check(!late, "stale token rejected");
        return lockB;
    }

    private void groupsAndTasks(final GroupClient groups, final TaskClient tasks) throws Exception
    {
        section("Group membership and task queue");
        final NodeJvm app = children.get("app");
        final ProcessRef g1 = app.spawn();
        final ProcessRef g2 = app.spawn();
        final RaProcess g3 = n1.system().spawn(message -> { });
        for (final ProcessRef member : List.of(g1, g2, g3.ref()))
        {
            groups.join("printers", member);
        }
        say("group 'printers': %s (g1, g2 on the app JVM, g3 on n1)", groups.members("printers"));

        final CompletableFuture<TaskCompleted> completed = new CompletableFuture<>();
        final RaProcess enqueuer = n1.system().spawn(message ->
        {
            if (message instanceof TaskCompleted done)
            {
                completed.complete(done);
            }
        });
        final long taskId = tasks.enqueue(enqueuer.ref(), "render the quarterly report");
        say("enqueued task #%d 'render the quarterly report'", taskId);
        final ProcessRef w1 = app.spawn();
        final Task grabbed = tasks.grab(w1).orElseThrow(() -> new AssertionError("no task for w1"));
        say("worker w1 %s on the app JVM grabbed task #%d (delivery %d)", w1, grabbed.id(), grabbed.deliveries());

        app.closeProcess(g2);
        await(() -> !groups.members("printers").contains(g2), "g2 to leave the group");
        say("g2 exits -> removed from the group: %s", groups.members("printers"));

        final long pid = app.pid();
        app.kill();
        say("kill -9 of the app JVM (pid %d): g1 and worker w1 die with it", pid);
        await(() -> !n1.transport().isReachable("app"), "n1 to notice the app node is gone");
        say("app node unreachable; g1 is kept while it might come back: %s", groups.members("printers"));
        say("task #%d still belongs to w1: %s", taskId, w1.equals(workerOf(tasks, taskId)));

        app.start();
        say("app JVM restarted (pid %d), its old processes are gone", app.pid());
        await(() -> List.of(g3.ref()).equals(groups.members("printers")), "g1 to leave the group");
        say("g1 is dead -> removed from the group: %s", groups.members("printers"));
        final ProcessRef w2 = app.spawn();
        final Task redone = await(() -> tasks.grab(w2).orElse(null), "task #" + taskId + " to be requeued");
        say("w1 is dead -> task #%d requeued; worker w2 %s grabbed it (delivery %d)", redone.id(), w2,
            redone.deliveries());
        check(redone.id() == taskId && redone.deliveries() == 2, "the task is redone");
        tasks.complete(w2, taskId);
        final TaskCompleted done = completed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        say("w2 completed it; the enqueuer was told: task #%d '%s' done", done.taskId(), done.detail());
    }

    private void sessionsWatchesAndTree() throws Exception
    {
        section("Sessions, watches and a tree");
        final TreeClient tree = new TreeClient(n1.system(), ToolboxNode.members(ToolboxNode.TREE, RA_NODES));
        tree.ensurePath("/printers");
        final BlockingQueue<TreeWatchMessage.Event> events = new LinkedBlockingQueue<>();
        tree.addWatch("/printers", true, events::add);
        say("n1 watches /printers and everything below it (a persistent, recursive watch)");
        final NodeJvm app = children.get("app");
        final String answer = app.command("tree ephemeral /printers/p- on-the-app-jvm " + String.join(",", RA_NODES))
            .get(0);
        final String[] created = answer.split(" ");
        check(created.length == 3 && "ok".equals(created[0]), "the app JVM creates an ephemeral node: " + answer);
        final String path = created[2];
        say("the app JVM opens session %s (time to live %d s, kept alive by messages to the leader, not by log " +
            "entries) and creates the ephemeral sequential node %s", created[1],
            ToolboxNode.TREE_SESSION_TTL.toSeconds(), path);
        final TreeWatchMessage.Event born = nextEvent(events, path, TreeEventType.NODE_CREATED);
        say("watch event on n1: %s %s (zxid %d)", born.type(), born.path(), born.zxid());
        say("children of /printers: %s", tree.getChildren("/printers").orElse(List.of()));
        final long pid = app.pid();
        app.kill();
        final long killed = System.nanoTime();
        say("kill -9 of the app JVM (pid %d): its session gets no more keep-alives", pid);
        final TreeWatchMessage.Event gone = nextEvent(events, path, TreeEventType.NODE_DELETED);
        say("watch event on n1: %s %s after %d ms, once the session's time to live had passed", gone.type(),
            gone.path(), (System.nanoTime() - killed) / 1_000_000);
        check(tree.getChildren("/printers").orElse(List.of()).isEmpty(), "the ephemeral node is gone");
        say("children of /printers: %s", tree.getChildren("/printers").orElse(List.of()));
        tree.close();
        app.start();
        say("app JVM restarted (pid %d)", app.pid());
    }

    private static TreeWatchMessage.Event nextEvent(final BlockingQueue<TreeWatchMessage.Event> events,
        final String path, final TreeEventType type) throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            final TreeWatchMessage.Event event = events.poll(100, TimeUnit.MILLISECONDS);
            if (null != event && path.equals(event.path()) && type == event.type())
            {
                return event;
            }
        }
        throw new AssertionError("no " + type + " event for " + path + " within " + WAIT);
    }

    private static ProcessRef workerOf(final TaskClient tasks, final long taskId)
    {
        return tasks.snapshot().inFlight().entrySet().stream().filter(e -> e.getValue().id() == taskId)
            .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    private void leaderKilled(final KvClient kv, final LockClient locks, final GroupClient groups,
        final TaskClient tasks, final FencingTokenValidator printer, final FencedLock heldByB) throws Exception
    {
        section("The leader is killed");
        final RaSystem system = n1.system();
        ServerId kvLeader = await(() -> leaderOf(ToolboxNode.KV), "a leader of kv");
        if ("n1".equals(kvLeader.node()))
        {
            // The leader is killed with kill -9, which needs it in a child JVM: move it there first.
            kvLeader = leadFrom("n2", ToolboxNode.KV, kvLeader);
            check(!"n1".equals(kvLeader.node()), "kv's leader in a child JVM");
        }
        final String victim = kvLeader.node();
        final List<String> ledByVictim = DEMO_CLUSTERS.stream()
            .filter(c -> victim.equals(await(() -> leaderOf(c), "a leader of " + c).node())).toList();
        final long epochBefore = companionEpochOn(victim);
        if (null != adminPort)
        {
            say("in the live view, %s leads %s; its JVM is killed in %d s", victim, ledByVictim, ADMIN_PAUSE_SECONDS);
            sleep(Duration.ofSeconds(ADMIN_PAUSE_SECONDS));
        }
        final NodeJvm victimJvm = children.get(victim);
        final long pid = victimJvm.pid();
        victimJvm.kill();
        say("kill -9 of %s (pid %d), leader of %s", victim, pid, ledByVictim);
        for (final String cluster : DEMO_CLUSTERS)
        {
            final ServerId leader = await(() ->
            {
                final ServerId current = leaderOf(cluster);
                return null != current && !victim.equals(current.node()) ? current : null;
            }, "a new leader of " + cluster);
            if (ledByVictim.contains(cluster))
            {
                say("cluster %-7s new leader %s (term %d)", cluster, leader,
                    system.overview(new ServerId(cluster, "n1")).currentTerm());
            }
        }

        say("get color -> %s (written before the failover)", kv.get("color").orElse("<absent>"));
        final KvReply.Written purple = kv.put("color", "purple");
        say("put color=purple -> revision %d; get color -> %s", purple.revision(), kv.get("color").orElse("?"));

        final CompletableFuture<Optional<FencedLock>> c = CompletableFuture.supplyAsync(() ->
            locks.tryLock("printer", WAIT), BACKGROUND);
        await(() -> locks.lockInfo("printer").filter(e -> !e.waiters().isEmpty()).orElse(null),
            "client C to queue for the lock");
        say("client C waits for 'printer', still held by B (token %d)", heldByB.token());
        heldByB.close();
        final FencedLock lockC = c.get(WAIT.toSeconds(), TimeUnit.SECONDS)
            .orElseThrow(() -> new AssertionError("C got no lock"));
        say("B releases; client C holds it with token %d (> %d); printer accepts: %s", lockC.token(),
            heldByB.token(), printer.tryAccept("printer", lockC.token()));
        check(lockC.token() > heldByB.token(), "tokens increase across the failover");
        lockC.close();

        final RaProcess g4 = system.spawn(message -> { });
        groups.join("printers", g4.ref());
        say("g4 joins 'printers': %s", groups.members("printers"));

        final CompletableFuture<TaskCompleted> completed = new CompletableFuture<>();
        final RaProcess enqueuer = system.spawn(message ->
        {
            if (message instanceof TaskCompleted done)
            {
                completed.complete(done);
            }
        });
        final long taskId = tasks.enqueue(enqueuer.ref(), "send the invoices");
        final ProcessRef w3 = children.get("app").spawn();
        final Task task = tasks.grab(w3).orElseThrow(() -> new AssertionError("no task for w3"));
        tasks.complete(w3, task.id());
        final TaskCompleted done = completed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        say("task #%d '%s' enqueued, grabbed by w3 %s, completed; enqueuer told: #%d done", taskId, task.detail(),
            w3, done.taskId());

        final long epochAfter = await(() ->
        {
            final long epoch = companionEpochOn(leaderOf(ToolboxNode.LEADER).node());
            return epoch > epochBefore ? epoch : null;
        }, "the companion to run next to the new leader");
        say("the follow-the-leader companion now runs on %s with epoch %d (was %d on %s)",
            leaderOf(ToolboxNode.LEADER).node(), epochAfter, epochBefore, victim);
    }

    /**
     * The epoch of the companion on a node: n1's is asked directly, a child's is read from its announcements.
     */
    private long companionEpochOn(final String node)
    {
        if ("n1".equals(node))
        {
            return n1.companionEpoch();
        }
        final NodeJvm child = children.get(node);
        String started;
        while (null != (started = child.awaitEvent(line -> line.startsWith("companion started"),
            Duration.ofMillis(300))))
        {
            lastAnnouncedEpoch.put(node, Long.parseLong(started.substring("companion started ".length())));
        }
        return lastAnnouncedEpoch.getOrDefault(node, 0L);
    }

    private ServerId leaderOf(final String cluster)
    {
        return n1.system().overview(new ServerId(cluster, "n1")).leader();
    }

    private void shutdown()
    {
        final List<NodeJvm> all = new ArrayList<>(children.values());
        all.forEach(NodeJvm::stop);
        if (null != n1)
        {
            n1.close();
        }
    }

    private void section(final String title)
    {
        System.out.println();
        System.out.println("[demo] ===== " + title + " =====");
    }

    private void say(final String format, final Object... args)
    {
        final double seconds = (System.nanoTime() - startNanos) / 1_000_000 / 1000.0;
        System.out.printf("[demo %5.1fs] %s%n", seconds, String.format(format, args));
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError("expected: " + what);
        }
    }

    /**
     * Poll until {@code probe} gives a non-null (and non-false) value; failures of single probes (a leader change
     * in progress) count as "not yet".
     */
    private static <T> T await(final Supplier<T> probe, final String what)
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline)
        {
            try
            {
                final T value = probe.get();
                if (null != value && !Boolean.FALSE.equals(value))
                {
                    return value;
                }
            }
            catch (final RuntimeException ex)
            {
                last = ex;
            }
            sleep(Duration.ofMillis(100));
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what +
            (null == last ? "" : " (last error: " + last + ")"));
    }

    private static void sleep(final Duration duration)
    {
        try
        {
            Thread.sleep(duration.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A loopback port free now, below the kernel's range of ephemeral ports (32768 and up on Linux): a port from that
     * range (what binding port 0 gives) may be taken as the local port of an outgoing connection before the node meant
     * to listen on it starts. Never the same port twice in one run.
     */
    private static int freePort()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int port = 20_000 + ThreadLocalRandom.current().nextInt(12_768);
            if (!PORTS_HANDED_OUT.add(port))
            {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, loopback))
            {
                return port;
            }
            catch (final IOException busy)
            {
                // taken: try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, loopback))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteRecursively(final Path root)
    {
        if (null == root || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            System.out.println("[demo] could not delete " + root + ": " + ex.getMessage());
        }
    }
}
