package dev.ra.sim;

import dev.ra.RaftState;
import dev.ra.ServerId;
import dev.ra.core.ServerCore;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's safety properties (Figure 3 of the paper), checked after every simulation step against every live core.
 * Each check returns a description of the violation, or null.
 */
final class SafetyChecker
{
    private static final int MAX_SERVERS = 16;

    private final Map<Long, ServerId> leaderByTerm = new HashMap<>();
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

    SafetyChecker()
    {
        committed.add(null);
        committedInTerm.add(0L);
    }

    void restarted(final int server, final ServerCore core)
    {
        checkedCommit[server] = 0;
        lastCommit[server] = 0;
        leaderTermChecked[server] = 0;
    }

    void wiped(final int server)
    {
        restarted(server, null);
    }

    long maxCommitted()
    {
        return committed.size() - 1;
    }

    int leaderTerms()
    {
        return leaderByTerm.size();
    }

    String check(final int server, final ServerCore core)
    {
        if (core.role() == RaftState.LEADER)
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
                final String problem = checkLeaderCompleteness(core);
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
