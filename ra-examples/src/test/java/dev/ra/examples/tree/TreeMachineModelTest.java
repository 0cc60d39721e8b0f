package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.lease.SessionCommand;
import dev.ra.codec.Codec;
import dev.ra.examples.lease.SessionReply;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * The tree machine against the plain sequential {@link TreeModel}: random sequences of creates (every mode, good and
 * bad paths, live and dead sessions), deletes and setData with right, wrong and any versions, checks, multis, session
 * grants, revokes, expiries from the current and from a stale lessor, watch reads by several watchers, persistent
 * watches, watch removals, watcher deaths, watcher nodes cut off and back, watcher nodes cut off past the unreachable
 * watch expiry (with or without a failover meanwhile, back or not), and leader failovers that lose the watch messages
 * in flight. About a third of the writes and multis are numbered ({@link NumberedWrite}, by the simulated clients'
 * watch processes), some of their first attempts held back, and earlier calls are sent again (retries and late
 * attempts, before or after their client's later calls and its end): each is answered as a sequential model of
 * {@link ClientSequences} says (applied as new, its first reply, or stale), and one not applied changes nothing (no
 * node, no sequential counter, no event); the state then also survives its snapshot codec.
 *
 * <p>After every step the reply, the nodes, the sessions and the messages sent must equal the model's. At the end
 * (after a last failover and re-registration, with no more loss) every simulated client, expired ones included, must
 * hold no one-shot watch
 * whose path changed after it was set (no event lost), and every watch it saw fire must have had a change near its
 * path after it was set (no event made up).
 *
 * <p>Seeded {@link Random}: a failure names its seed; {@code -Dtree.seed=N} replays one, {@code -Dtree.seeds=N} runs
 * more.
 */
class TreeMachineModelTest
{
    private static final List<String> PATHS = List.of("/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/q", "/c", "/");
    private static final List<String> PREFIXES = List.of("/a/s-", "/b/n-", "/s-");
    private static final List<String> BAD_PATHS = List.of("a", "/a/", "//x", "/a/../b");
    private static final long BOUND_MS = 60_000;
    /** The id of the one numbering of the simulated clients, as the toolbox clients of one JVM share one. */
    private static final String NUMBERING = "jvm-1";

    @Test
    void shouldBehaveLikeTheSequentialModelAndLoseNoWatchEventAcrossFailovers()
    {
        final String one = System.getProperty("tree.seed");
        if (null != one)
        {
            run(Long.parseLong(one));
            return;
        }
        final int seeds = Integer.getInteger("tree.seeds", 200);
        final long base = new Random().nextLong();
        for (int i = 0; i < seeds; i++)
        {
            run(base + i);
        }
    }

    private static void run(final long seed)
    {
        try
        {
            new Simulation(seed).run(250);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("failed with seed " + seed + " (replay: -Dtree.seed=" + seed + ")", ex);
        }
    }

    /**
     * A one-shot watch a simulated client believes it holds, or saw fire.
     */
    private record Held(String path, WatchMode mode, long zxid)
    {
    }

    /**
     * A numbered call made: sent again as a retry or a late attempt.
     *
     * @param caller the watch process of the client that made it.
     * @param write  the write.
     * @param number of the call.
     */
    private record Call(ProcessRef caller, TreeCommand write, CommandNumber number)
    {
    }

    /**
     * What the model of {@link ClientSequences} keeps of one client's calls.
     */
    private static final class ModelCalls
    {
        private long first = 1;
        /** By number, the one applied longest ago first. */
        private final Map<Long, Object> replies = new LinkedHashMap<>();
        private final TreeSet<Long> appliedWithoutReply = new TreeSet<>();
        private long lastMs;

        /** The numbers applied without a reply, as ranges of numbers one after another. */
        private List<ClientSequences.NumberRange> ranges()
        {
            final List<ClientSequences.NumberRange> ranges = new ArrayList<>();
            for (final long number : appliedWithoutReply)
            {
                final int last = ranges.size() - 1;
                if (last >= 0 && ranges.get(last).last() + 1 == number)
                {
                    ranges.set(last, new ClientSequences.NumberRange(ranges.get(last).first(), number));
                }
                else
                {
                    ranges.add(new ClientSequences.NumberRange(number, number));
                }
            }
            return ranges;
        }
    }

    /**
     * A simulated watching client: the one-shot watches it holds and the ones it saw fire, as a
     * {@link TreeClient} keeps them.
     */
    private static final class Client
    {
        private final ProcessRef ref;
        private final Map<String, Held> held = new LinkedHashMap<>();
        private final List<Held> fired = new ArrayList<>();
        private final Deque<TreeWatchMessage> inbox = new ArrayDeque<>();

        Client(final ProcessRef ref)
        {
            this.ref = ref;
        }

        void hold(final String path, final WatchMode mode, final long zxid)
        {
            held.putIfAbsent(path + " " + mode, new Held(path, mode, zxid));
        }
    }

    private static final class Simulation
    {
        private final Random random;
        private final TreeMachine machine =
            new TreeMachine("lessor", Duration.ofMillis(BOUND_MS), ReleaseCursorPolicy.every(8));
        private final MachineDriver<TreeMachineCommand, TreeState> tree =
            new MachineDriver<>(machine, TreeMachineCommand.class);
        /** The numbered calls made, by caller, least recently used first (the model of ClientSequences). */
        private final Map<ProcessRef, ModelCalls> sequences = new LinkedHashMap<>();
        private final List<Call> calls = new ArrayList<>();
        private long lastNumber;
        private final TreeModel model = new TreeModel();
        private final List<Client> clients = new ArrayList<>();
        private final List<Long> everGranted = new ArrayList<>();
        private long previousEpoch;
        private int nextProcess = 1;

        Simulation(final long seed)
        {
            this.random = new Random(seed);
            // The expiry in force is in the state (machine version 2): as if the first leader had put its own.
            tree.restore(TreeState.EMPTY.withUnreachableWatchExpiryMs(BOUND_MS));
            for (int i = 0; i < 3; i++)
            {
                clients.add(newClient());
            }
        }

        private Client newClient()
        {
            final int id = nextProcess++;
            return new Client(new ProcessRef(id % 2 == 0 ? "c2" : "c1", id));
        }

        void run(final int steps)
        {
            failover(false);
            for (int i = 0; i < steps; i++)
            {
                step();
            }
            deliverAll();
            failover(false);
            deliverAll();
            for (final Client client : clients)
            {
                checkNoEventLost(client);
                checkNoEventMadeUp(client);
            }
        }

        private void step()
        {
            final int choice = random.nextInt(100);
            if (choice < 22)
            {
                write(create());
            }
            else if (choice < 26)
            {
                write(new TreeOp.Delete(anyPath(), version()));
            }
            else if (choice < 30)
            {
                write(guardedDelete());
            }
            else if (choice < 40)
            {
                write(new TreeOp.SetData(anyPath(), "d" + random.nextInt(5), version()));
            }
            else if (choice < 41)
            {
                write(new TreeOp.Check(anyPath(), version()));
            }
            else if (choice < 42)
            {
                write(childCheck());
            }
            else if (choice < 50)
            {
                multi();
            }
            else if (choice < 55)
            {
                grant();
            }
            else if (choice < 58)
            {
                endSession(new SessionCommand.Revoke(anySession()));
            }
            else if (choice < 63)
            {
                final boolean stale = random.nextInt(3) == 0 && previousEpoch > 0;
                endSession(new SessionCommand.Expire(anySession(), stale ? previousEpoch : model.epoch));
            }
            else if (choice < 76)
            {
                watchRead();
            }
            else if (choice < 78)
            {
                persistentWatch();
            }
            else if (choice < 79)
            {
                watcherEnds();
            }
            else if (choice < 80)
            {
                removeWatches();
            }
            else if (choice < 83)
            {
                failover(random.nextBoolean());
            }
            else if (choice < 85)
            {
                nodeCutOffAndBack(random.nextBoolean() ? "c1" : "c2");
            }
            else if (choice < 87)
            {
                nodeCutOffPastTheExpiry(random.nextBoolean() ? "c1" : "c2");
            }
            else if (choice < 92 && !calls.isEmpty())
            {
                send(calls.get(random.nextInt(calls.size())));
            }
            else
            {
                deliverSome();
            }
        }

        private String anyPath()
        {
            return random.nextInt(25) == 0 ? BAD_PATHS.get(random.nextInt(BAD_PATHS.size())) :
                PATHS.get(random.nextInt(PATHS.size()));
        }

        private int version()
        {
            return random.nextInt(3) == 0 ? TreeOp.ANY_VERSION : random.nextInt(3);
        }

        private long anySession()
        {
            if (everGranted.isEmpty() || random.nextInt(8) == 0)
            {
                return 99_999;
            }
            return everGranted.get(random.nextInt(everGranted.size()));
        }

        private TreeOp.Create create()
        {
            final CreateMode mode = CreateMode.values()[random.nextInt(CreateMode.values().length)];
            final String path = mode.isSequential() && random.nextBoolean() ?
                PREFIXES.get(random.nextInt(PREFIXES.size())) : anyPath();
            final long session = mode.isEphemeral() ? (random.nextInt(10) == 0 ? 0 : anySession()) : 0;
            return new TreeOp.Create(path, "v" + random.nextInt(5), mode, session);
        }

        private void write(final TreeOp op)
        {
            if (random.nextInt(3) == 0)
            {
                numbered(op);
                return;
            }
            final long index = tree.nextIndex();
            final ApplyResult<TreeState> result = tree.apply(op);
            assertThat(result.reply()).as("reply to %s", op).isEqualTo(model.write(op, index));
            check(result.effects());
        }

        /** A guarded delete naming the node at its path about half the time, else another creation zxid. */
        private TreeOp.DeleteCreated guardedDelete()
        {
            final String path = anyPath();
            final ZNode node = tree.state().node(path);
            final long czxid = null != node && random.nextBoolean() ? node.stat().czxid() : 1 + random.nextInt(40);
            return new TreeOp.DeleteCreated(path, version(), czxid);
        }

        /** A child version check naming the node's own child version about half the time, else another. */
        private TreeOp.CheckChildren childCheck()
        {
            final String path = anyPath();
            final ZNode node = tree.state().node(path);
            final int cversion = null != node && random.nextBoolean() ? node.stat().cversion() : random.nextInt(6);
            return new TreeOp.CheckChildren(path, cversion);
        }

        private void multi()
        {
            final List<TreeOp> ops = new ArrayList<>();
            final int count = random.nextInt(4);
            for (int i = 0; i < count; i++)
            {
                final int kind = random.nextInt(6);
                ops.add(kind == 0 ? create() : kind == 1 ? new TreeOp.Delete(anyPath(), version()) :
                    kind == 4 ? guardedDelete() : kind == 5 ? childCheck() :
                    kind == 2 ? new TreeOp.SetData(anyPath(), "m" + i, version()) :
                    new TreeOp.Check(anyPath(), version()));
            }
            if (random.nextInt(3) == 0)
            {
                numbered(new TreeCommand.Multi(ops));
                return;
            }
            final long index = tree.nextIndex();
            final ApplyResult<TreeState> result = tree.apply(new TreeCommand.Multi(ops));
            assertThat(result.reply()).as("reply to multi %s", ops).isEqualTo(model.multi(ops, index));
            check(result.effects());
        }

        /**
         * A new numbered call by one of the clients, claiming up to two calls before it still under way; its first
         * attempt is sometimes held back (sent later by {@link #send}, or never).
         */
        private void numbered(final TreeCommand write)
        {
            final long number = ++lastNumber;
            final CommandNumber numbered =
                new CommandNumber(NUMBERING, number, Math.max(1, number - random.nextInt(3)));
            final Call call = new Call(clients.get(random.nextInt(clients.size())).ref, write, numbered);
            calls.add(call);
            if (random.nextInt(5) != 0)
            {
                send(call);
            }
        }

        /** An attempt of a call: its first, a retry, or a late one, answered as the model of the numbers says. */
        private void send(final Call call)
        {
            final long index = tree.nextIndex();
            final long nowMs = tree.nowMs();
            final ApplyResult<TreeState> result = tree.apply(new NumberedWrite(call.write(), call.caller(),
                call.number()));
            final Object expected = expectedReply(call, nowMs, at -> call.write() instanceof TreeOp op ?
                model.write(op, at) : model.multi(((TreeCommand.Multi)call.write()).ops(), at), index);
            assertThat(result.reply()).as("reply to %s", call).isEqualTo(expected);
            check(result.effects());
            final Codec<TreeState> codec = machine.stateCodec();
            final TreeState restored = codec.fromBytes(codec.toBytes(tree.state()));
            assertThat(restored).as("the state through its snapshot codec").isEqualTo(tree.state());
            tree.restore(restored);
        }

        /**
         * The model of {@link ClientSequences}: stale below the caller's first unanswered number, the remembered
         * reply of a call applied already, or the write applied to the model and its reply remembered.
         */
        private Object expectedReply(final Call call, final long nowMs, final LongFunction<Object> write,
            final long index)
        {
            final CommandNumber number = call.number();
            final ModelCalls found = sequences.get(call.caller());
            if (null != found && number.number() < found.first)
            {
                return new StaleCommand(number, found.first);
            }
            if (null != found && found.replies.containsKey(number.number()))
            {
                return found.replies.get(number.number());
            }
            if (null != found && found.appliedWithoutReply.contains(number.number()))
            {
                return new StaleCommand(number, found.first);
            }
            final Object reply = write.apply(index);
            final ModelCalls entry = null == found ? new ModelCalls() : sequences.remove(call.caller());
            entry.first = Math.max(number.firstUnanswered(), entry.first);
            entry.replies.keySet().removeIf(kept -> kept < entry.first);
            entry.appliedWithoutReply.headSet(entry.first).clear();
            entry.replies.put(number.number(), reply);
            while (entry.replies.size() > ClientSequences.MAX_UNANSWERED)
            {
                final long oldest = entry.replies.keySet().iterator().next();
                entry.replies.remove(oldest);
                entry.appliedWithoutReply.add(oldest);
            }
            while (entry.ranges().size() > ClientSequences.MAX_APPLIED_RANGES)
            {
                entry.first = entry.ranges().get(0).last() + 1;
                entry.appliedWithoutReply.headSet(entry.first).clear();
                entry.replies.keySet().removeIf(kept -> kept < entry.first);
            }
            entry.lastMs = nowMs;
            sequences.values().removeIf(other -> nowMs - other.lastMs > ClientSequences.RETAINED_MS);
            sequences.put(call.caller(), entry);
            return reply;
        }

        private void grant()
        {
            final long index = tree.nextIndex();
            final ApplyResult<TreeState> result = tree.apply(new SessionCommand.Grant(1_000, null));
            assertThat(result.reply()).isEqualTo(new SessionReply.Granted(index, 1_000));
            model.sessions.add(index);
            everGranted.add(index);
            check(result.effects());
        }

        private void endSession(final SessionCommand command)
        {
            final long index = tree.nextIndex();
            final ApplyResult<TreeState> result = tree.apply(command);
            final long id = command instanceof SessionCommand.Revoke r ? r.sessionId() :
                ((SessionCommand.Expire)command).sessionId();
            final boolean refused = command instanceof SessionCommand.Expire e && e.lessorEpoch() != model.epoch;
            if (refused)
            {
                assertThat(result.reply()).isInstanceOf(SessionReply.ExpiryRefused.class);
            }
            else
            {
                assertThat(((SessionReply.Ended)result.reply()).existed()).isEqualTo(model.sessions.contains(id));
                model.endSession(id, index);
            }
            check(result.effects());
        }

        private void watchRead()
        {
            final Client client = clients.get(random.nextInt(clients.size()));
            final String path = anyPath();
            final long index = tree.nextIndex();
            final int kind = random.nextInt(3);
            final TreeCommand command = kind == 0 ? new TreeCommand.GetData(path, client.ref) :
                kind == 1 ? new TreeCommand.Exists(path, client.ref) : new TreeCommand.GetChildren(path, client.ref);
            final ApplyResult<TreeState> result = tree.apply(command);
            final TreeModel.Node node = null == TreePaths.problem(path) ? model.nodes.get(path) : null;
            final Object expected;
            if (null != TreePaths.problem(path))
            {
                expected = new TreeReply.BadArguments(TreePaths.problem(path));
            }
            else if (kind == 1)
            {
                final WatchMode mode = null == node ? WatchMode.EXIST : WatchMode.DATA;
                model.addWatch(new TreeWatch(client.ref, path, mode));
                client.hold(path, mode, index);
                expected = new TreeReply.Existence(null == node ? null : node.stat(), index);
            }
            else if (null == node)
            {
                expected = new TreeReply.NoNode(path);
            }
            else
            {
                final WatchMode mode = kind == 0 ? WatchMode.DATA : WatchMode.CHILD;
                model.addWatch(new TreeWatch(client.ref, path, mode));
                client.hold(path, mode, index);
                final List<String> children = new ArrayList<>(node.children);
                children.sort(null);
                expected = kind == 0 ? new TreeReply.NodeData(node.data, node.stat(), index) :
                    new TreeReply.Children(children, node.stat(), index);
            }
            assertThat(result.reply()).as("reply to %s", command).isEqualTo(expected);
            check(result.effects());
        }

        private void persistentWatch()
        {
            final Client client = clients.get(random.nextInt(clients.size()));
            final String path = PATHS.get(random.nextInt(PATHS.size()));
            final boolean recursive = random.nextBoolean();
            final long index = tree.nextIndex();
            final ApplyResult<TreeState> result = tree.apply(new TreeCommand.AddWatch(path, client.ref, recursive));
            assertThat(result.reply()).isEqualTo(new TreeReply.WatchSet(index));
            model.addWatch(new TreeWatch(client.ref, path,
                recursive ? WatchMode.PERSISTENT_RECURSIVE : WatchMode.PERSISTENT));
            check(result.effects());
        }

        private void removeWatches()
        {
            final Client client = clients.get(random.nextInt(clients.size()));
            final String path = PATHS.get(random.nextInt(PATHS.size()));
            final WatchMode mode = random.nextBoolean() ? null :
                WatchMode.values()[random.nextInt(WatchMode.values().length)];
            final ApplyResult<TreeState> result = tree.apply(new TreeCommand.RemoveWatches(path, client.ref, mode));
            final int before = model.watches.size();
            model.watches.removeIf(w -> w.watcher().equals(client.ref) && w.path().equals(path) &&
                (null == mode || w.mode() == mode));
            assertThat(result.reply()).isEqualTo(new TreeReply.WatchesRemoved(before - model.watches.size()));
            // The client forgets what it removed, as TreeClient does.
            client.held.values().removeIf(h -> h.path().equals(path) && (null == mode || h.mode() == mode));
            check(result.effects());
        }

        private void watcherEnds()
        {
            final int which = random.nextInt(clients.size());
            final Client gone = clients.get(which);
            final ApplyResult<TreeState> result =
                tree.builtin(new BuiltinCommand.Down(gone.ref, DownReason.NORMAL));
            model.down(gone.ref);
            clients.set(which, newClient());
            check(result.effects());
        }

        private void failover(final boolean loseMessagesInFlight)
        {
            if (loseMessagesInFlight)
            {
                clients.forEach(c -> c.inbox.clear());
            }
            final List<Effect> effects = tree.enter(RaftRole.LEADER);
            model.failover();
            check(effects);
            previousEpoch = model.epoch;
            model.epoch = tree.nextIndex();
            check(tree.apply(new SessionCommand.NewLeader()).effects());
        }

        /** The node's watchers are cut off (what was sent to them is lost), then reachable again. */
        private void nodeCutOffAndBack(final String node)
        {
            for (final Client client : clients)
            {
                if (client.ref.node().equals(node))
                {
                    client.inbox.clear();
                    check(tree.builtin(new BuiltinCommand.Down(client.ref, DownReason.NOCONNECTION)).effects());
                }
            }
            if (random.nextBoolean())
            {
                write(create());
                write(new TreeOp.Delete(anyPath(), TreeOp.ANY_VERSION));
            }
            clients.stream().filter(c -> c.ref.node().equals(node)).forEach(c -> c.inbox.clear());
            final ApplyResult<TreeState> result = tree.builtin(new BuiltinCommand.NodeUp(node));
            model.nodeUp(node);
            check(result.effects());
        }

        /**
         * The node's watchers are cut off for the whole bound (a failover meanwhile, sometimes): kept one millisecond
         * before it, gone at it; then the node comes back, or not yet (a later failover or return tells them).
         */
        private void nodeCutOffPastTheExpiry(final String node)
        {
            final List<Client> cut = clients.stream().filter(c -> c.ref.node().equals(node)).toList();
            for (final Client client : cut)
            {
                client.inbox.clear();
                check(tree.builtin(new BuiltinCommand.Down(client.ref, DownReason.NOCONNECTION)).effects());
            }
            tree.advance(BOUND_MS / 2);
            write(create());
            if (random.nextBoolean())
            {
                // A new leader re-arms the check at once and finds the node still cut off: the first time stays.
                failover(random.nextBoolean());
                check(tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER)).effects());
                for (final Client client : cut)
                {
                    client.inbox.clear();
                    check(tree.builtin(new BuiltinCommand.Down(client.ref, DownReason.NOCONNECTION)).effects());
                }
            }
            tree.advance(BOUND_MS / 2 - 1);
            check(tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER)).effects());
            tree.advance(1);
            final ApplyResult<TreeState> result = tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));
            cut.forEach(c -> model.expire(c.ref));
            check(result.effects());
            write(new TreeOp.SetData(anyPath(), "e" + random.nextInt(5), TreeOp.ANY_VERSION));
            cut.forEach(c -> c.inbox.clear());
            if (random.nextBoolean())
            {
                final ApplyResult<TreeState> back = tree.builtin(new BuiltinCommand.NodeUp(node));
                model.nodeUp(node);
                check(back.effects());
            }
        }

        private void deliverSome()
        {
            final Client client = clients.get(random.nextInt(clients.size()));
            for (int n = random.nextInt(4); n > 0 && !client.inbox.isEmpty(); n--)
            {
                deliver(client, client.inbox.poll());
            }
        }

        private void deliverAll()
        {
            boolean any = true;
            while (any)
            {
                any = false;
                for (final Client client : clients)
                {
                    while (!client.inbox.isEmpty())
                    {
                        any = true;
                        deliver(client, client.inbox.poll());
                    }
                }
            }
        }

        private void deliver(final Client client, final TreeWatchMessage message)
        {
            if (message instanceof TreeWatchMessage.Event event)
            {
                client.held.values().removeIf(h ->
                {
                    if (event.zxid() > h.zxid() &&
                        TreeModel.matches(new TreeWatch(client.ref, h.path(), h.mode()), event))
                    {
                        client.fired.add(h);
                        return true;
                    }
                    return false;
                });
                return;
            }
            final List<TreeCommand.HeldWatch> held = client.held.values().stream()
                .map(h -> new TreeCommand.HeldWatch(h.path(), h.mode(), h.zxid())).toList();
            final long index = tree.nextIndex();
            final ApplyResult<TreeState> result = tree.apply(new TreeCommand.Reregister(client.ref, held));
            assertThat(result.reply()).isEqualTo(new TreeReply.WatchSet(index));
            model.reregister(client.ref, held, index);
            check(result.effects());
        }

        /** The state and the messages equal the model's; the messages go into the clients' inboxes. */
        private void check(final List<Effect> effects)
        {
            final TreeState state = tree.state();
            assertThat(state.nodes()).isEqualTo(model.snapshot());
            final Map<ProcessRef, List<Object>> remembered = new LinkedHashMap<>();
            state.sequences().clients().forEach((caller, calls) -> remembered.put(caller.process(),
                List.of(caller.client(), calls.firstUnanswered(), calls.replies(), calls.appliedWithoutReply(),
                    calls.lastMs())));
            final Map<ProcessRef, List<Object>> modelled = new LinkedHashMap<>();
            sequences.forEach((caller, calls) -> modelled.put(caller, List.of(NUMBERING, calls.first,
                calls.replies.entrySet().stream().map(e -> new ClientSequences.Reply(e.getKey(), e.getValue()))
                    .toList(), calls.ranges(), calls.lastMs)));
            assertThat(remembered).as("the numbered calls remembered").containsExactlyEntriesOf(modelled);
            assertThat(state.sessions().sessions().keySet()).containsExactlyElementsOf(model.sessions);
            assertThat(state.watches().watches()).containsExactlyElementsOf(model.watches);
            assertThat(state.watches().watchers()).containsExactlyElementsOf(model.watchers);
            assertThat(state.watches().expired()).containsExactlyElementsOf(model.expired);
            final List<Effect.SendMsg> sent = effects.stream().filter(Effect.SendMsg.class::isInstance)
                .map(Effect.SendMsg.class::cast).toList();
            assertThat(sent).isEqualTo(model.sent);
            model.sent.clear();
            for (final Effect.SendMsg message : sent)
            {
                for (final Client client : clients)
                {
                    if (client.ref.equals(message.to()))
                    {
                        client.inbox.add((TreeWatchMessage)message.message());
                    }
                }
            }
            for (final TreeModel.Node node : model.nodes.values())
            {
                assertThat(node.owner == 0 || node.children.isEmpty()).as("ephemerals have no children").isTrue();
                assertThat(node.owner == 0 || model.sessions.contains(node.owner)).as("ephemeral of a live session")
                    .isTrue();
            }
        }

        private void checkNoEventLost(final Client client)
        {
            for (final Held held : client.held.values())
            {
                for (final TreeWatchMessage.Event change : model.history)
                {
                    assertThat(change.zxid() > held.zxid() &&
                        TreeModel.matches(new TreeWatch(client.ref, held.path(), held.mode()), change))
                        .as("%s still held although %s fired it", held, change).isFalse();
                }
            }
        }

        private void checkNoEventMadeUp(final Client client)
        {
            for (final Held fired : client.fired)
            {
                final boolean near = model.history.stream().anyMatch(change -> change.zxid() > fired.zxid() &&
                    (change.path().equals(fired.path()) || TreePaths.covers(change.path(), fired.path()) ||
                        (!"/".equals(fired.path()) && change.path().equals(TreePaths.parent(fired.path())))));
                assertThat(near).as("%s fired with no change near its path after it was set", fired).isTrue();
            }
        }
    }
}
