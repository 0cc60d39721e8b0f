package dev.ra.sim;

import dev.ra.ServerId;
import dev.ra.codec.Codec;
import dev.ra.core.CoreConfig;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.RecoveredState;
import dev.ra.core.ReplyMode;
import dev.ra.core.ServerCore;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Drives pure cores from a script, in the style of etcd raft's data-driven interaction tests, and renders every
 * action they return as one line. Messages are held until delivered explicitly, log writes until synced, so a
 * script decides exactly what happens when.
 *
 * <p>Commands: {@code cluster N [snapshotEvery=K] [batch=B] [commitNotice=MS]}, {@code add-server NAME} (a brand-new
 * server that knows the current members), {@code trigger S}, {@code timeout S}, {@code tick S} (1 s later),
 * {@code wait MS} (time passes, nothing happens), {@code commit-notice S} (its commit notice timer fires),
 * {@code propose S KEY VALUE}, {@code query S}, {@code flush S}, {@code deliver [S]} (one round of messages,
 * optionally only those to S), {@code drop [S]} (discard pending messages, optionally only those to S), {@code hold S}
 * (set the messages pending to S aside) and {@code release} (send them after everything sent meanwhile),
 * {@code sync [S]} (make logs durable), {@code stabilize} (deliver and sync until quiet), {@code isolate S},
 * {@code heal}, {@code unreachable S PEER}, {@code reachable S PEER}, {@code silent S PEER} (PEER's node went quiet),
 * {@code add-member S NAME [promotable]}, {@code remove-member S NAME}, {@code transfer S TARGET}, {@code hand-over S}
 * (S, about to stop, transfers its leadership to its most up-to-date voter), {@code stop S} (S stops in order: what
 * it refuses on stopping, then as {@code crash S}), {@code crash S}, {@code restart S},
 * {@code state}, {@code log S}, {@code bug S BUG} (switch on a {@code CoreTestAccess.Bug}), {@code deliver S FROM}
 * (only the messages from FROM to S), {@code crash-after S N} (S's next step executes only its first N actions, then
 * S crashes), {@code damage S keep=I [term-and-vote-lost]} (S, down, loses its durable entries above I),
 * {@code rejoin S at=I/T} (S, removed, starts again under its id with no data, joining at entry I of term T).
 *
 * <p>The safety checker runs after every command, with the same hooks as in the simulation; every problem it reports
 * is kept ({@link #safetyProblems()}).
 */
final class ScenarioRunner
{
    private static final long ELECTION_TIMEOUT_MIN_MS = 100;

    private record Envelope(ServerId from, ServerId to, RaftRpc rpc)
    {
    }

    private final class Server
    {
        final int index;
        final ServerId id;
        SimLogStore log = new SimLogStore();
        SimSnapshotStore snapshots = new SimSnapshotStore();
        long term;
        ServerId votedFor;
        long lastApplied;
        long damagedAcknowledged;
        boolean termAndVoteLost;
        /** For a server added back under a removed one's id: the entry it joins at. */
        JoinPoint joinedAt = JoinPoint.NONE;
        ServerCore core;
        /** The machine version its build supports from its next start on. */
        int machineVersion;
        boolean alive;
        List<Member> bootMembers;

        Server(final int index, final ServerId id)
        {
            this.index = index;
            this.id = id;
        }
    }

    private final Map<String, Server> servers = new LinkedHashMap<>();
    private final ArrayDeque<Envelope> network = new ArrayDeque<>();
    private final List<Envelope> held = new ArrayList<>();
    private final List<String> isolated = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();
    private final SplittableRandom random = new SplittableRandom(7);
    private SimKv machine = new SimKv(0);
    private long now;
    private long nextCallId = 1;
    private List<Member> members = new ArrayList<>();
    private int batch = 4;
    private int defaultVersion;
    private long commitNoticeDelayMs;
    private final SafetyChecker safety = new SafetyChecker();
    private final List<String> safetyProblems = new ArrayList<>();
    private Server crashAfterServer;
    /** How deep in nested steps (an installed snapshot is reported back at once) the runner is. */
    private int executing;
    private int crashAfterActions;
    private final Map<Long, Object> replies = new java.util.HashMap<>();
    private final Map<Long, Map<String, String>> queryResults = new java.util.HashMap<>();

    String run(final String command)
    {
        out.setLength(0);
        final String[] args = command.trim().split("\\s+");
        switch (args[0])
        {
            case "cluster" -> cluster(args);
            case "add-server" -> addServer(args[1],
                args.length > 2 ? Integer.parseInt(args[2].substring("version=".length())) : defaultVersion);
            case "trigger" -> trigger(args[1]);
            case "timeout" -> handle(args[1], new RaftEvent.ElectionTimeout());
            case "commit-notice" -> handle(args[1], new RaftEvent.CommitNoticeDue());
            case "wait" -> now += Long.parseLong(args[1]);
            case "tick" ->
            {
                now += 1000;
                handle(args[1], new RaftEvent.Tick());
            }
            case "propose" -> handle(args[1], new RaftEvent.ClientCommand(
                UserCommand.ofValue(new SimKv.Put(args[2], args[3])), new ReplyMode.AwaitConsensus(nextCallId++)));
            case "query" -> handle(args[1], new RaftEvent.ConsistentQuery(nextCallId++));
            case "flush" -> execute(server(args[1]), server(args[1]).core.flush(now));
            case "deliver" -> deliverRound(args.length > 1 ? args[1] : null, args.length > 2 ? args[2] : null);
            case "drop" -> drop(args.length > 1 ? args[1] : null);
            case "hold" -> hold(args[1]);
            case "release" -> release();
            case "sync" -> sync(args.length > 1 ? args[1] : null);
            case "stabilize" -> stabilize();
            case "isolate" -> isolated.add(args[1]);
            case "heal" -> isolated.clear();
            case "unreachable" -> handle(args[1], new RaftEvent.PeerUnreachable(server(args[2]).id));
            case "reachable" -> handle(args[1], new RaftEvent.PeerReachable(server(args[2]).id));
            case "silent" -> handle(args[1], new RaftEvent.PeerSilent(server(args[2]).id));
            case "add-member" -> handle(args[1], new RaftEvent.AddMember(nextCallId++, new Member(server(args[2]).id,
                args.length > 3 ? Membership.PROMOTABLE : Membership.VOTER, 0)));
            case "remove-member" -> handle(args[1], new RaftEvent.RemoveMember(nextCallId++, server(args[2]).id));
            case "transfer" -> handle(args[1], new RaftEvent.TransferLeadership(nextCallId++, server(args[2]).id));
            case "hand-over" -> handOver(server(args[1]));
            case "stop" ->
            {
                execute(server(args[1]), server(args[1]).core.stopping());
                crash(server(args[1]), "stopped");
            }
            case "crash" -> crash(server(args[1]), "crashed");
            case "restart" -> start(server(args[1]));
            case "rejoin" -> rejoin(server(args[1]), args[2].substring("at=".length()));
            case "crash-after" ->
            {
                crashAfterServer = server(args[1]);
                crashAfterActions = Integer.parseInt(args[2]);
            }
            case "damage" -> damage(server(args[1]), Long.parseLong(args[2].substring("keep=".length())),
                args.length > 3 && args[3].equals("term-and-vote-lost"));
            case "state" -> state();
            case "version" -> server(args[1]).machineVersion = Integer.parseInt(args[2]);
            case "log" -> log(server(args[1]));
            case "bug" -> dev.ra.core.CoreTestAccess.inject(server(args[1]).core,
                dev.ra.core.CoreTestAccess.Bug.valueOf(args[2]));
            case "version-bug" -> dev.ra.core.CoreTestAccess.inject(server(args[1]).core,
                dev.ra.core.CoreTestAccess.VersionBug.valueOf(args[2]));
            default -> throw new IllegalArgumentException("unknown scenario command: " + command);
        }
        checkSafety();
        return out.toString();
    }

    /**
     * @return the first safety violation seen since the scenario started, or null.
     */
    String safetyProblem()
    {
        return safetyProblems.isEmpty() ? null : safetyProblems.get(0);
    }

    /**
     * @return every distinct safety problem seen since the scenario started, first first.
     */
    List<String> safetyProblems()
    {
        return List.copyOf(safetyProblems);
    }

    /**
     * @param name of a server.
     * @return its running core, for assertions.
     */
    ServerCore core(final String name)
    {
        return server(name).core;
    }

    /**
     * @return the call id the last propose or query used.
     */
    long lastCallId()
    {
        return nextCallId - 1;
    }

    /**
     * @param callId of a proposal.
     * @return whether the leader replied to it.
     */
    boolean replied(final long callId)
    {
        return replies.containsKey(callId);
    }

    /**
     * @param queryId of a consistent query.
     * @return the registers it read, or null if it was never answered.
     */
    Map<String, String> queryResult(final long queryId)
    {
        return queryResults.get(queryId);
    }

    private void checkSafety()
    {
        final List<MemberView> views = new ArrayList<>();
        for (final Server server : servers.values())
        {
            if (server.alive)
            {
                note(safety.check(server.index, server.core));
            }
            views.add(view(server));
        }
        note(safety.checkMembers(views));
    }

    private MemberView view(final Server server)
    {
        return new MemberView(server.index, server.id, server.alive ? server.core : null, server.log,
            server.snapshots, server.damagedAcknowledged);
    }

    private void note(final String problem)
    {
        if (null != problem && !safetyProblems.contains(problem))
        {
            safetyProblems.add(problem);
        }
    }

    private void cluster(final String[] args)
    {
        final int count = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++)
        {
            if (args[i].startsWith("snapshotEvery="))
            {
                machine = new SimKv(Integer.parseInt(args[i].substring("snapshotEvery=".length())));
            }
            else if (args[i].startsWith("batch="))
            {
                batch = Integer.parseInt(args[i].substring("batch=".length()));
            }
            else if (args[i].startsWith("version="))
            {
                defaultVersion = Integer.parseInt(args[i].substring("version=".length()));
            }
            else if (args[i].startsWith("commitNotice="))
            {
                commitNoticeDelayMs = Long.parseLong(args[i].substring("commitNotice=".length()));
            }
        }
        for (int i = 1; i <= count; i++)
        {
            final ServerId id = new ServerId("s" + i, "n" + i);
            final Server server = new Server(servers.size(), id);
            server.machineVersion = defaultVersion;
            servers.put("s" + i, server);
            members.add(Member.voter(id));
        }
        safety.initialMembers(members);
        for (final Server server : servers.values())
        {
            start(server);
        }
    }

    private void addServer(final String name, final int version)
    {
        final Server server = new Server(servers.size(), new ServerId(name, "n" + name.substring(1)));
        server.bootMembers = List.copyOf(members);
        server.machineVersion = version;
        servers.put(name, server);
        start(server);
    }

    private Server server(final String name)
    {
        final Server server = servers.get(name);
        if (null == server)
        {
            throw new IllegalArgumentException("no server " + name);
        }
        return server;
    }

    private SimKv machineOf(final Server server)
    {
        return 0 == server.machineVersion ? machine : machine.withVersion(server.machineVersion);
    }

    private void start(final Server server)
    {
        final SnapshotMeta snapshot = server.snapshots.latest();
        @SuppressWarnings("unchecked")
        final Codec<Object> codec = (Codec<Object>)(Codec<?>)machine.stateCodec();
        final Object state = null == snapshot ? null : codec.fromBytes(server.snapshots.read(snapshot).toByteArray());
        final CoreConfig config = new CoreConfig(server.id, "scenario",
            null == server.bootMembers ? members : server.bootMembers, ELECTION_TIMEOUT_MIN_MS, 200, batch, 8, 2, 16,
            1000, commitNoticeDelayMs);
        server.core = new ServerCore(config, machineOf(server), server.log, server.snapshots,
            new RecoveredState(server.term, server.votedFor, server.lastApplied, snapshot, state,
                server.damagedAcknowledged, server.termAndVoteLost, server.joinedAt),
            random.split());
        server.alive = true;
        execute(server, server.core.start(now));
    }

    /**
     * What the runtime does before an orderly stop of a leader: transfer leadership to its most up-to-date voter.
     */
    private void handOver(final Server server)
    {
        execute(server, server.core.stopping());
        final ServerId target = server.core.handOverTarget();
        out.append(server.id.name()).append(" hands over to ").append(null == target ? "-" : target.name())
            .append('\n');
        if (null != target)
        {
            execute(server, server.core.handle(new RaftEvent.TransferLeadership(nextCallId++, target), now));
        }
    }

    private void crash(final Server server, final String how)
    {
        safety.restarted(server.index, null);
        server.alive = false;
        server.log.loseVolatile();
        Simulation.startAfterSnapshotIfShorter(server.log, server.snapshots);
        server.core = null;
        out.append(server.id.name()).append(' ').append(how).append('\n');
    }

    /**
     * A removed server started again under the same id with its data deleted, as a member added back: it joins at the
     * given entry ({@code index/term}), normally the configuration entry that added it.
     */
    private void rejoin(final Server server, final String at)
    {
        if (server.alive)
        {
            crash(server, "crashed");
        }
        final String[] point = at.split("/");
        server.log = new SimLogStore();
        server.snapshots = new SimSnapshotStore();
        server.term = 0;
        server.votedFor = null;
        server.lastApplied = 0;
        server.damagedAcknowledged = 0;
        server.termAndVoteLost = false;
        server.joinedAt = new JoinPoint(Long.parseLong(point[0]), Long.parseLong(point[1]));
        server.bootMembers = List.copyOf(members);
        safety.wiped(server.index, server.id);
        out.append(server.id.name()).append(" wiped, joins at ").append(at).append('\n');
        start(server);
    }

    /**
     * Crash a server, damage its storage as ra-log reports it (the log keeps entries up to {@code keep}, maybe term
     * and vote are lost) and restart it.
     */
    private void damage(final Server server, final long keep, final boolean termAndVoteLost)
    {
        if (server.alive)
        {
            crash(server, "crashed");
        }
        final long had = server.log.lastIndex();
        server.log.loseFrom(keep + 1);
        if (keep < had)
        {
            server.damagedAcknowledged = had;
        }
        if (termAndVoteLost)
        {
            server.term = 0;
            server.votedFor = null;
            server.termAndVoteLost = true;
            safety.termAndVoteLost(server.index);
        }
        Simulation.startAfterSnapshotIfShorter(server.log, server.snapshots);
        out.append(server.id.name()).append(" damaged: had ").append(had).append(", kept ").append(keep)
            .append(termAndVoteLost ? ", term and vote lost" : "").append('\n');
        start(server);
    }

    /**
     * Tell a member to campaign, as startCluster does; a member that will not says why (the caller asks another).
     */
    private void trigger(final String name)
    {
        final String refusal = server(name).core.electionRefusal();
        if (null != refusal)
        {
            out.append(name).append(" refuses: ").append(refusal).append('\n');
        }
        handle(name, new RaftEvent.TriggerElection());
    }

    /**
     * Hand a member a message no correct member would send (a test of what bad input does), as if from {@code from}.
     *
     * @param to   the member receiving it.
     * @param from the member it seems to come from.
     * @param rpc  the message.
     * @return the actions it led to, as scenario output.
     */
    String deliverForged(final String to, final String from, final dev.ra.protocol.RaftRpc rpc)
    {
        out.setLength(0);
        handle(to, new RaftEvent.RpcReceived(server(from).id, rpc));
        execute(server(to), server(to).core.flush(now));
        checkSafety();
        return out.toString();
    }

    private void handle(final String name, final RaftEvent event)
    {
        final Server server = server(name);
        if (event instanceof RaftEvent.ConsistentQuery query)
        {
            safety.queryArrived(server.index, query.queryId());
        }
        execute(server, server.core.handle(event, now));
    }

    private void execute(final Server server, final List<RaftAction> reused)
    {
        executing++;
        try
        {
            executeActions(server, reused);
        }
        finally
        {
            executing--;
        }
        if (executing == 0)
        {
            // After every step, as in the simulation: a command such as stabilize runs many.
            checkSafety();
        }
    }

    private void executeActions(final Server server, final List<RaftAction> reused)
    {
        final List<RaftAction> actions = List.copyOf(reused);
        final List<Runnable> afterwards = new ArrayList<>();
        final int crashAfter = server == crashAfterServer && !actions.isEmpty() ? crashAfterActions : -1;
        for (int i = 0; i < actions.size(); i++)
        {
            if (!server.alive)
            {
                // Crashed in a nested step (crash-after): the rest of this step never happened.
                return;
            }
            if (i == crashAfter)
            {
                crashAfterServer = null;
                crash(server, "crashed");
                return;
            }
            final RaftAction action = actions.get(i);
            out.append(render(server.id, action)).append('\n');
            if (action instanceof RaftAction.Send send)
            {
                note(safety.checkSent(view(server), server.term, server.votedFor, send.to(), send.rpc()));
                network.add(new Envelope(server.id, send.to(), send.rpc()));
            }
            else if (action instanceof RaftAction.AppendToLog append)
            {
                server.log.append(append.entries());
            }
            else if (action instanceof RaftAction.PersistTermAndVote persist)
            {
                server.term = persist.term();
                server.votedFor = persist.votedFor();
                note(safety.votePersisted(server.index, server.id, persist.term(), persist.votedFor()));
            }
            else if (action instanceof RaftAction.StorageRecovered)
            {
                server.damagedAcknowledged = 0;
                server.termAndVoteLost = false;
            }
            else if (action instanceof RaftAction.WriteSnapshot write)
            {
                note(safety.snapshotRequested(view(server), write.meta()));
                @SuppressWarnings("unchecked")
                final Codec<Object> codec = (Codec<Object>)(Codec<?>)machine.stateCodec();
                server.snapshots.write(write.meta(), dev.ra.codec.Bytes.wrap(codec.toBytes(write.machineState())));
                // Written in the background: the core hears of it as a later event, as under the runtime.
                afterwards.add(() -> execute(server, server.core.handle(new RaftEvent.SnapshotWritten(write.meta()),
                    now)));
            }
            else if (action instanceof RaftAction.ReplyToCaller reply)
            {
                replies.put(reply.callId(), reply.reply());
            }
            else if (action instanceof RaftAction.QueryReady ready)
            {
                note(safety.queryAnswered(server.index, server.core, ready.queryId()));
                queryResults.put(ready.queryId(), ((SimKv.State)server.core.machineState()).data());
            }
            else if (action instanceof RaftAction.TruncateLogUpTo truncate)
            {
                server.log.truncateUpTo(truncate.index());
            }
            else if (action instanceof RaftAction.InstallSnapshot install)
            {
                @SuppressWarnings("unchecked")
                final Codec<Object> codec = (Codec<Object>)(Codec<?>)machine.stateCodec();
                final Object state = codec.fromBytes(install.data().toByteArray());
                server.snapshots.write(install.meta(), install.data());
                server.log.resetTo(install.meta().index(), install.meta().term());
                execute(server, server.core.handle(new RaftEvent.SnapshotInstalled(install.meta(), state), now));
            }
        }
        if (null != server.core)
        {
            server.lastApplied = Math.min(server.core.lastApplied(), server.log.lastWrittenIndex());
        }
        afterwards.forEach(Runnable::run);
    }

    private boolean blocked(final Envelope envelope)
    {
        return isolated.contains(envelope.from.name()) || isolated.contains(envelope.to.name());
    }

    private int deliverRound(final String only, final String onlyFrom)
    {
        final List<Envelope> round = new ArrayList<>(network);
        network.clear();
        int delivered = 0;
        for (final Envelope envelope : round)
        {
            if ((null != only && !envelope.to.name().equals(only)) ||
                (null != onlyFrom && !envelope.from.name().equals(onlyFrom)))
            {
                network.add(envelope);
                continue;
            }
            final Server to = servers.get(envelope.to.name());
            if (blocked(envelope) || null == to || !to.alive)
            {
                continue;
            }
            delivered++;
            execute(to, to.core.handle(new RaftEvent.RpcReceived(envelope.from, envelope.rpc), now));
            if (to.alive)
            {
                note(safety.checkTermAdopted(to.core, envelope.rpc));
            }
        }
        return delivered;
    }

    /**
     * Take the messages pending to {@code name} aside: they arrive after everything sent meanwhile, once released.
     */
    private void hold(final String name)
    {
        network.removeIf(e ->
        {
            if (e.to.name().equals(name))
            {
                held.add(e);
                return true;
            }
            return false;
        });
    }

    private void release()
    {
        network.addAll(held);
        held.clear();
    }

    private void drop(final String only)
    {
        network.removeIf(e -> null == only || e.to.name().equals(only));
    }

    private int sync(final String only)
    {
        int synced = 0;
        for (final Server server : servers.values())
        {
            if (!server.alive || (null != only && !server.id.name().equals(only)))
            {
                continue;
            }
            if (server.log.lastWrittenIndex() < server.log.lastIndex())
            {
                final long durable = server.log.sync();
                synced++;
                execute(server, server.core.handle(new RaftEvent.LogWritten(durable, server.log.term(durable)), now));
            }
        }
        return synced;
    }

    private void stabilize()
    {
        for (int round = 0; round < 100; round++)
        {
            final int synced = sync(null);
            final int delivered = deliverRound(null, null);
            if (synced == 0 && delivered == 0)
            {
                return;
            }
        }
        throw new IllegalStateException("not stable after 100 rounds");
    }

    private void state()
    {
        for (final Server server : servers.values())
        {
            if (!server.alive)
            {
                out.append(server.id.name()).append(" down\n");
                continue;
            }
            final ServerCore core = server.core;
            out.append(server.id.name()).append(' ').append(core.role()).append(" term=").append(core.currentTerm())
                .append(" leader=").append(null == core.leaderId() ? "-" : core.leaderId().name())
                .append(" last=").append(core.lastIndex()).append(" commit=").append(core.commitIndex())
                .append(" applied=").append(core.lastApplied()).append(" snapshot=").append(core.snapshotIndex())
                .append(" members=").append(core.members().stream().map(ScenarioRunner::member)
                    .collect(Collectors.joining(",")))
                .append(" state=").append(new java.util.TreeMap<>(((SimKv.State)core.machineState()).data()))
                .append(0 == server.machineVersion ? "" : " machine-version=" + core.effectiveMachineVersion() +
                    "/" + server.machineVersion + (null == core.machineVersionError() ? "" : " STOPPED"))
                .append('\n');
        }
    }

    private void log(final Server server)
    {
        for (long i = server.core.snapshotIndex() + 1; i <= server.core.lastIndex(); i++)
        {
            out.append(entry(server.core.entryAt(i))).append('\n');
        }
    }

    private static String member(final Member member)
    {
        return member.id().name() + (member.isVoter() ? "" : "(" + member.membership() + ")");
    }

    private static String entry(final LogEntry entry)
    {
        final Object payload = entry.payload();
        final String body;
        if (payload instanceof UserCommand command)
        {
            final Object value = command.valueIfDecoded();
            body = value instanceof SimKv.Put put ? "put " + put.key() + "=" + put.value() : String.valueOf(value);
        }
        else if (payload instanceof dev.ra.protocol.EntryPayload.Noop noop && noop.machineVersion() > 0)
        {
            body = "noop v" + noop.machineVersion();
        }
        else if (payload instanceof dev.ra.protocol.EntryPayload.ClusterChange change)
        {
            body = "config[" + change.members().stream().map(ScenarioRunner::member)
                .collect(Collectors.joining(",")) + "]";
        }
        else
        {
            body = payload.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }
        return entry.term() + "/" + entry.index() + " " + body;
    }

    private static String render(final ServerId server, final RaftAction action)
    {
        final String name = server.name();
        if (action instanceof RaftAction.Send send)
        {
            return name + "->" + send.to().name() + " " + rpc(send.rpc());
        }
        if (action instanceof RaftAction.AppendToLog append)
        {
            return name + " append " + append.entries().stream().map(ScenarioRunner::entry)
                .collect(Collectors.joining(", "));
        }
        if (action instanceof RaftAction.PersistTermAndVote persist)
        {
            return name + " persist term=" + persist.term() + " vote=" +
                (null == persist.votedFor() ? "-" : persist.votedFor().name());
        }
        if (action instanceof RaftAction.RoleChanged role)
        {
            return name + " role " + role.from() + " -> " + role.to() + " term=" + role.term();
        }
        if (action instanceof RaftAction.SetElectionTimer timer)
        {
            // Only a timer shorter than the election timeout shows it: after a leader reported down or silent.
            return name + " election-timer set" + (timer.delayMs() < ELECTION_TIMEOUT_MIN_MS ? " (short)" : "");
        }
        if (action instanceof RaftAction.CancelElectionTimer)
        {
            return name + " election-timer cancel";
        }
        if (action instanceof RaftAction.SetCommitNoticeTimer timer)
        {
            return name + " commit-notice-timer " + timer.delayMs() + "ms";
        }
        if (action instanceof RaftAction.ReplyToCaller reply)
        {
            return name + " reply call=" + reply.callId() + " index=" + reply.index() + " " + reply.reply();
        }
        if (action instanceof RaftAction.WriteSnapshot write)
        {
            return name + " write-snapshot index=" + write.meta().index() + " term=" + write.meta().term() +
                (0 == write.meta().machineVersion() ? "" : " machine-version=" + write.meta().machineVersion());
        }
        if (action instanceof RaftAction.InstallSnapshot install)
        {
            return name + " install-snapshot index=" + install.meta().index() + " term=" + install.meta().term() +
                (0 == install.meta().machineVersion() ? "" : " machine-version=" + install.meta().machineVersion());
        }
        if (action instanceof RaftAction.MachineVersionUnsupported unsupported)
        {
            return name + " STOPS APPLYING: " + unsupported.message();
        }
        return name + " " + action;
    }

    private static String rpc(final RaftRpc rpc)
    {
        if (rpc instanceof RaftRpc.AppendEntriesRpc ae)
        {
            return "AppendEntries term=" + ae.term() + " prev=" + ae.prevLogTerm() + "/" + ae.prevLogIndex() +
                " commit=" + ae.leaderCommit() + " entries=[" + ae.entries().stream().map(ScenarioRunner::entry)
                .collect(Collectors.joining(", ")) + "]";
        }
        if (rpc instanceof RaftRpc.AppendEntriesReply reply)
        {
            return "AppendEntriesReply term=" + reply.term() + " success=" + reply.success() + " next=" +
                reply.nextIndex() + " last=" + reply.lastTerm() + "/" + reply.lastIndex();
        }
        if (rpc instanceof RaftRpc.InstallSnapshotRpc install)
        {
            return "InstallSnapshot term=" + install.term() + " snapshot=" + install.meta().term() + "/" +
                install.meta().index() + " offset=" + install.offset() + " bytes=" + install.chunk().length() +
                " last=" + install.last();
        }
        final String text = rpc.toString();
        return text.replace("RaftRpc.", "").replaceAll("(\\w+)\\[", "$1 ").replace("]", "")
            .replaceAll("([a-zA-Z0-9_-]+)@n[0-9a-z]+", "$1").replace(",", "");
    }
}
