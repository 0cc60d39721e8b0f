package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.core.RaftAction;
import dev.ra.core.ServerCore;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raft's safety properties (Figure 3 of the paper), checked after every simulation step against every live core,
 * and the properties the rules that keep them rest on: votes and acknowledgements are durable before they are sent,
 * a leader holds a majority of persisted votes and commits only what a majority of voters holds, a member adopts any
 * term it hears of, configurations follow the log, snapshots record the configuration at their index, and a
 * consistent query reflects everything committed before it arrived. Each check returns a description of the
 * violation, or null; the description starts with the property's name.
 */
final class SafetyChecker
{
    private static final int MAX_SERVERS = 16;

    private final Map<Long, ServerId> leaderByTerm = new HashMap<>();
    /** Per member, the highest term it had persisted when it lost term and vote (0 if it never did). */
    private final long[] termLostAt = new long[MAX_SERVERS];
    private final Map<Long, List<LogEntry>> seenEntries = new HashMap<>();
    private final Map<Long, Long> digestAtIndex = new HashMap<>();
    private final ArrayList<LogEntry> committed = new ArrayList<>();
    /**
     * The term of the first member seen to commit each entry: the leader that committed it, in the step it did (the
     * followers learn it later), so the term it was committed in. Leader completeness is about entries committed in
     * EARLIER terms: a candidate of an old term (paused, or whose votes arrived late) may still win that term after a
     * later leader committed entries it does not have.
     */
    private final ArrayList<Long> committedInTerm = new ArrayList<>();
    private final long[] checkedCommit = new long[MAX_SERVERS];
    private final long[] lastCommit = new long[MAX_SERVERS];
    private final long[] leaderTermChecked = new long[MAX_SERVERS];
    /** Per term, the vote each member persisted in it. */
    private final Map<Long, Map<ServerId, ServerId>> persistedVotes = new HashMap<>();
    private final long[] persistedTerm = new long[MAX_SERVERS];
    private final ConfigEntries[] configEntries = new ConfigEntries[MAX_SERVERS];
    private final long[] quorumCheckedCommit = new long[MAX_SERVERS];
    /** Per member and query, the highest index committed anywhere when the query reached it. */
    private final Map<Long, Long> committedAtQueryArrival = new HashMap<>();
    private List<Member> initialMembers = List.of();
    /** Whether every persisted vote is reported through {@link #votePersisted}. */
    private boolean trackVotes;

    SafetyChecker()
    {
        committed.add(null);
        committedInTerm.add(0L);
        for (int i = 0; i < MAX_SERVERS; i++)
        {
            configEntries[i] = new ConfigEntries();
        }
    }

    /**
     * @param members the configuration every member started with, in force until the first configuration entry.
     */
    void initialMembers(final List<Member> members)
    {
        initialMembers = List.copyOf(members);
    }

    void restarted(final int server, final ServerCore core)
    {
        checkedCommit[server] = 0;
        lastCommit[server] = 0;
        leaderTermChecked[server] = 0;
        configEntries[server].reset();
        quorumCheckedCommit[server] = 0;
        committedAtQueryArrival.keySet().removeIf(key -> key % MAX_SERVERS == server);
    }

    /**
     * The member left the cluster and its stores were wiped: it may only come back as a new member, with no votes.
     */
    void wiped(final int server, final ServerId id)
    {
        restarted(server, null);
        persistedTerm[server] = 0;
        for (final Map<ServerId, ServerId> votes : persistedVotes.values())
        {
            votes.remove(id);
        }
    }

    /**
     * A member's term and vote were lost with its meta files while it was down, and the loss was detected: its term
     * may start lower than it was (the core takes its last log term as a floor), and in a term up to the one it had
     * reached it may record a vote again, for the leader it then follows (that election is over, so the vote changes
     * nothing); any other second vote in such a term is still a violation.
     *
     * @param server index.
     */
    void termAndVoteLost(final int server)
    {
        termLostAt[server] = Math.max(termLostAt[server], persistedTerm[server]);
        persistedTerm[server] = 0;
    }

    // ------------------------------------------------------------------------------------------------ hooks

    /**
     * A {@code PersistTermAndVote} was executed: the member's term never goes back, and it never persists two
     * different votes in one term (one vote per term, §5.2, even across crashes).
     */
    String votePersisted(final int server, final ServerId id, final long term, final ServerId votedFor)
    {
        trackVotes = true;
        if (term < persistedTerm[server])
        {
            return "durable term: " + id + " persisted term " + term + " after term " + persistedTerm[server];
        }
        persistedTerm[server] = term;
        if (null == votedFor)
        {
            return null;
        }
        final ServerId earlier = persistedVotes.computeIfAbsent(term, t -> new HashMap<>()).put(id, votedFor);
        if (null != earlier && !earlier.equals(votedFor) &&
            !(term <= termLostAt[server] && votedFor.equals(leaderByTerm.get(term))))
        {
            return "one vote per term: " + id + " voted for " + earlier + " and then " + votedFor + " in term " + term;
        }
        return null;
    }

    /**
     * A message is about to leave {@code view}'s member: what it promises must already be durable. A granted vote
     * must be the persisted vote of that term (thesis §3.8: a crash right after the send must not forget it), and a
     * successful AppendEntries reply may only acknowledge entries that are synced (etcd-io/etcd#14370).
     */
    String checkSent(final MemberView view, final long persistedTerm, final ServerId persistedVote,
        final ServerId to, final RaftRpc rpc)
    {
        if (rpc instanceof RaftRpc.RequestVoteReply reply && reply.granted() &&
            (reply.term() != persistedTerm || !to.equals(persistedVote)))
        {
            return "vote durable before granted: " + view.id() + " granted " + to + " its vote in term " +
                reply.term() + " but has persisted term " + persistedTerm + " vote " + persistedVote;
        }
        if (rpc instanceof RaftRpc.AppendEntriesReply reply && reply.success() &&
            !view.holdsDurably(reply.lastIndex(), reply.lastTerm()))
        {
            return "acknowledged entries durable: " + view.id() + " acknowledged " + reply.lastTerm() + "/" +
                reply.lastIndex() + " to " + to + " with only index " + view.log().lastWrittenIndex() + " synced";
        }
        return null;
    }

    /**
     * A member handled a message: it must now be in the message's term or a later one (§5.1), whatever its role; a
     * leader that hears of a higher term, in a reply too, is no longer leader of an older one. A pre-vote request
     * is the one exception (thesis §9.6).
     */
    String checkTermAdopted(final ServerCore core, final RaftRpc rpc)
    {
        if (rpc instanceof RaftRpc.PreVoteRpc || core.role() == RaftRole.STOPPED || core.role() == RaftRole.EOL)
        {
            return null;
        }
        if (core.currentTerm() < rpc.term())
        {
            return "higher term adopted: " + core.id() + " is " + core.role() + " of term " + core.currentTerm() +
                " after handling " + rpc.getClass().getSimpleName() + " of term " + rpc.term();
        }
        return null;
    }

    /**
     * A member is about to write a snapshot: its members must be the configuration in force at its index, which
     * every member agrees on because that prefix of the log is committed (state machine safety is checked on it).
     * A snapshot recording a later configuration would make a member restarting from it, or installing it, use a
     * configuration the log has not reached there.
     */
    String snapshotRequested(final MemberView member, final SnapshotMeta meta)
    {
        final ServerCore core = member.core();
        List<Member> expected = null;
        String source = null;
        for (long i = meta.index(); i > core.snapshotIndex() && null == expected; i--)
        {
            final LogEntry entry = core.entryAt(i);
            if (null != entry && entry.payload() instanceof EntryPayload.ClusterChange change)
            {
                expected = change.members();
                source = "configuration entry " + entry.term() + "/" + i;
            }
        }
        if (null == expected)
        {
            final SnapshotMeta previous = member.snapshots().latest();
            if (core.snapshotIndex() > 0)
            {
                if (null == previous || previous.index() != core.snapshotIndex())
                {
                    return null;
                }
                expected = previous.members();
                source = "previous snapshot at " + previous.index();
            }
            else
            {
                expected = initialMembers;
                source = "initial configuration";
            }
        }
        if (!expected.isEmpty() && !expected.equals(meta.members()))
        {
            return "snapshot configuration: " + core.id() + " writes a snapshot at " + meta.index() + " with members " +
                meta.members() + " but the configuration in force there is " + expected + " (" + source + ")";
        }
        return RetirementChecker.checkSnapshot(core.id(), meta, i ->
        {
            // What this member committed in this step is recorded after the step.
            final LogEntry known = committedAt(i);
            return null != known || i <= core.snapshotIndex() ? known : core.entryAt(i);
        }, initialMembers);
    }

    /** A consistent query reached a member: whatever is committed by now, its answer must reflect. */
    void queryArrived(final int server, final long queryId)
    {
        committedAtQueryArrival.put(queryId * MAX_SERVERS + server, maxCommitted());
    }

    /**
     * Liveness: the step in which a member becomes leader also sends its new term's first AppendEntries to every other
     * voter. A leader that waited for its first tick instead (it once did when its log was longer than the pipeline,
     * counting the whole log as in flight to peers that had not answered yet) leaves the cluster without a commit for
     * a tick, and then resent its whole log.
     *
     * @param core    of the member, after the step.
     * @param actions of the step.
     * @return the violation, or null.
     */
    String checkNewLeaderReplicates(final ServerCore core, final List<RaftAction> actions)
    {
        boolean becameLeader = false;
        final Set<ServerId> sentTo = new HashSet<>();
        for (final RaftAction action : actions)
        {
            if (action instanceof RaftAction.RoleChanged changed && changed.to() == RaftRole.LEADER)
            {
                becameLeader = true;
            }
            else if (action instanceof RaftAction.Send send && send.rpc() instanceof RaftRpc.AppendEntriesRpc)
            {
                sentTo.add(send.to());
            }
        }
        if (!becameLeader || core.role() != RaftRole.LEADER)
        {
            return null;
        }
        for (final Member member : core.members())
        {
            if (member.isVoter() && !member.id().equals(core.id()) && !sentTo.contains(member.id()))
            {
                return "liveness: " + core.id() + " became leader of term " + core.currentTerm() +
                    " without sending AppendEntries to " + member.id();
            }
        }
        return null;
    }

    /**
     * A member answers a consistent query from its machine state: linearizable reads (thesis §6.4) need that state
     * to include every entry committed before the query arrived.
     */
    String queryAnswered(final int server, final ServerCore core, final long queryId)
    {
        final Long committedThen = committedAtQueryArrival.remove(queryId * MAX_SERVERS + server);
        if (null != committedThen && core.lastApplied() < committedThen)
        {
            return "read reflects prior commits: " + core.id() + " answered query " + queryId + " at applied index " +
                core.lastApplied() + " but index " + committedThen + " was committed before the query arrived";
        }
        return null;
    }

    long maxCommitted()
    {
        return committed.size() - 1;
    }

    /**
     * @param index a log index.
     * @return the entry some member committed at {@code index}, or null if none was seen there.
     */
    LogEntry committedAt(final long index)
    {
        return index > 0 && index < committed.size() ? committed.get((int)index) : null;
    }

    int leaderTerms()
    {
        return leaderByTerm.size();
    }

    String check(final int server, final ServerCore core)
    {
        if (core.role() == RaftRole.LEADER)
        {
            // Election safety: at most one leader per term.
            final ServerId previous = leaderByTerm.putIfAbsent(core.currentTerm(), core.id());
            if (null != previous && !previous.equals(core.id()))
            {
                return "election safety: " + previous + " and " + core.id() + " both lead term " + core.currentTerm();
            }
            if (leaderTermChecked[server] != core.currentTerm())
            {
                leaderTermChecked[server] = core.currentTerm();
                String problem = checkLeaderCompleteness(core);
                if (null == problem && trackVotes)
                {
                    problem = checkLeaderVotes(core);
                }
                if (null != problem)
                {
                    return problem;
                }
            }
        }
        final long commit = core.commitIndex();
        if (commit < lastCommit[server])
        {
            return "commit index of " + core.id() + " went back from " + lastCommit[server] + " to " + commit;
        }
        lastCommit[server] = commit;
        for (long i = checkedCommit[server] + 1; i <= commit; i++)
        {
            final LogEntry entry = core.entryAt(i);
            if (null == entry)
            {
                continue;
            }
            if (i < committed.size())
            {
                final LogEntry known = committed.get((int)i);
                if (null != known && !known.equals(entry))
                {
                    return "state machine safety: index " + i + " committed as " + known + " elsewhere but as " +
                        entry + " on " + core.id();
                }
                if (null == known)
                {
                    committed.set((int)i, entry);
                    committedInTerm.set((int)i, core.currentTerm());
                }
            }
            else
            {
                while (committed.size() < i)
                {
                    committed.add(null);
                    committedInTerm.add(0L);
                }
                committed.add(entry);
                committedInTerm.add(core.currentTerm());
            }
        }
        checkedCommit[server] = Math.max(checkedCommit[server], commit);

        final SimKv.State state = (SimKv.State)core.machineState();
        if (null != state)
        {
            final Long digest = digestAtIndex.putIfAbsent(state.applied(), state.digest());
            if (null != digest && digest != state.digest())
            {
                return "state machine safety: " + core.id() + " has a different state after applying index " +
                    state.applied();
            }
        }

        // Log matching, on the tail that just changed: one index and term, one entry.
        final long last = core.lastIndex();
        for (long i = Math.max(core.snapshotIndex() + 1, last - 4); i <= last; i++)
        {
            final LogEntry entry = core.entryAt(i);
            if (null == entry)
            {
                continue;
            }
            final List<LogEntry> seen = seenEntries.computeIfAbsent(i, k -> new ArrayList<>(2));
            boolean found = false;
            for (final LogEntry other : seen)
            {
                if (other.term() == entry.term())
                {
                    found = true;
                    if (!other.equals(entry))
                    {
                        return "log matching: index " + i + " term " + entry.term() + " holds " + other + " and " +
                            entry;
                    }
                }
            }
            if (!found)
            {
                seen.add(entry);
            }
        }
        return null;
    }

    /**
     * The properties that need more than one member's state, after {@link #check} has seen every live core of the
     * step.
     *
     * @param members every member, down ones with a null core.
     * @return the first violation, or null.
     */
    String checkMembers(final List<MemberView> members)
    {
        for (final MemberView member : members)
        {
            final ServerCore core = member.core();
            if (null == core)
            {
                continue;
            }
            String problem = checkConfiguration(member);
            if (null == problem)
            {
                problem = checkCommitQuorum(member, members);
            }
            if (null != problem)
            {
                return problem;
            }
        }
        return null;
    }

    /**
     * A member's configuration is the newest configuration entry in its log, or its snapshot's when no entry
     * follows the snapshot (in force on append, thesis §4.1). And at most one configuration entry in any log lies
     * above the committed index: a leader appends a change only once the previous one is committed.
     */
    private String checkConfiguration(final MemberView member)
    {
        final ServerCore core = member.core();
        final ConfigEntries entries = configEntries[member.index()];
        entries.update(core);
        final int uncommitted = entries.countAbove(maxCommitted());
        if (uncommitted > 1)
        {
            return "one configuration change at a time: " + core.id() + " holds " + uncommitted +
                " configuration entries above the committed index " + maxCommitted();
        }
        final LogEntry newest = entries.lastAbove(core.snapshotIndex());
        final List<Member> expected;
        final String source;
        if (null != newest)
        {
            expected = ConfigEntries.members(newest);
            source = "its configuration entry " + newest.term() + "/" + newest.index();
        }
        else
        {
            final SnapshotMeta snapshot = member.snapshots().latest();
            if (core.snapshotIndex() == 0 || null == snapshot || snapshot.index() != core.snapshotIndex())
            {
                // No entry and no snapshot: the configuration it was started with, which only the runtime knows.
                return null;
            }
            expected = snapshot.members();
            source = "its snapshot at " + snapshot.index();
        }
        if (!expected.equals(core.members()))
        {
            return "configuration follows the log: " + core.id() + " uses " + core.members() + " but " + source +
                " says " + expected;
        }
        return null;
    }

    /**
     * Whatever a leader commits is held durably by a majority of the voters of its configuration; members that do
     * not vote (promotable ones) do not count (§5.3).
     */
    private String checkCommitQuorum(final MemberView member, final List<MemberView> members)
    {
        final ServerCore core = member.core();
        final long commit = core.commitIndex();
        final long checked = quorumCheckedCommit[member.index()];
        quorumCheckedCommit[member.index()] = commit;
        if (core.role() != RaftRole.LEADER || commit <= checked)
        {
            // Followers take the commit index from a leader, restarts from what was applied: checked where made.
            return null;
        }
        final long term = core.termAt(commit);
        final List<ServerId> holders = new ArrayList<>();
        if (heldByMajority(core.members(), members, commit, term, holders))
        {
            return null;
        }
        // One step may both commit under the configuration in force and append the next one (a paused leader handles
        // its backlog at once): a majority of the configuration in force at the committed index also suffices, since
        // with one change at a time any majority of it overlaps any majority of the next (thesis §4.1).
        final LogEntry newest = configEntries[member.index()].lastAbove(commit);
        if (null != newest)
        {
            final LogEntry before = configEntries[member.index()].lastAtOrBelow(commit);
            final SnapshotMeta snapshot = member.snapshots().latest();
            final List<Member> inForce = null != before ? ConfigEntries.members(before) :
                null != snapshot && snapshot.index() == core.snapshotIndex() && core.snapshotIndex() > 0 ?
                    snapshot.members() : initialMembers;
            if (null != inForce && heldByMajority(inForce, members, commit, term, new ArrayList<>()))
            {
                return null;
            }
        }
        return "commit quorum of voters: " + core.id() + " committed " + term + "/" + commit + " held durably by " +
            holders + " only, of the voters in " + core.members();
    }

    private static boolean heldByMajority(final List<Member> configuration, final List<MemberView> members,
        final long index, final long term, final List<ServerId> holders)
    {
        int voters = 0;
        for (final Member m : configuration)
        {
            if (!m.isVoter())
            {
                continue;
            }
            voters++;
            for (final MemberView other : members)
            {
                if (other.id().equals(m.id()) && other.holdsDurably(index, term))
                {
                    holders.add(m.id());
                }
            }
        }
        return holders.size() >= voters / 2 + 1;
    }

    private String checkLeaderVotes(final ServerCore leader)
    {
        final Map<ServerId, ServerId> votes = persistedVotes.getOrDefault(leader.currentTerm(), Map.of());
        int voters = 0;
        int granted = 0;
        for (final Member member : leader.members())
        {
            if (member.isVoter())
            {
                voters++;
                if (leader.id().equals(votes.get(member.id())))
                {
                    granted++;
                }
            }
        }
        if (granted < voters / 2 + 1)
        {
            return "leader elected by persisted votes: " + leader.id() + " leads term " + leader.currentTerm() +
                " with " + granted + " persisted votes of " + voters + " voters";
        }
        return null;
    }

    private String checkLeaderCompleteness(final ServerCore leader)
    {
        for (int i = 1; i < committed.size(); i++)
        {
            final LogEntry entry = committed.get(i);
            if (null == entry || i <= leader.snapshotIndex() || committedInTerm.get(i) >= leader.currentTerm())
            {
                continue;
            }
            final long term = leader.termAt(i);
            if (term != entry.term())
            {
                return "leader completeness: " + leader.id() + " leads term " + leader.currentTerm() +
                    " without committed entry " + entry + " (has term " + term + ")";
            }
        }
        return null;
    }

    /**
     * Log matching over whole logs: if two logs hold an entry with the same index and term, every entry before it
     * is the same in both.
     *
     * @param cores to compare pairwise.
     */
    void checkLogMatchingAcross(final List<ServerCore> cores)
    {
        for (int a = 0; a < cores.size(); a++)
        {
            for (int b = a + 1; b < cores.size(); b++)
            {
                final ServerCore x = cores.get(a);
                final ServerCore y = cores.get(b);
                final long floor = Math.max(x.snapshotIndex(), y.snapshotIndex());
                long i = Math.min(x.lastIndex(), y.lastIndex());
                while (i > floor && (x.termAt(i) != y.termAt(i) || x.termAt(i) == LogStore.UNKNOWN_TERM))
                {
                    i--;
                }
                for (; i > floor; i--)
                {
                    final LogEntry ex = x.entryAt(i);
                    final LogEntry ey = y.entryAt(i);
                    if (null != ex && null != ey && !ex.equals(ey))
                    {
                        throw new Simulation.Violation("log matching: " + x.id() + " and " + y.id() +
                            " differ at index " + i + ": " + ex + " vs " + ey);
                    }
                }
            }
        }
    }
}
