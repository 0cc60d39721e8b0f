package dev.ra.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of what a server's core has done, for overviews and metrics. Written only by the core's thread; read
 * anywhere (values may be slightly stale).
 */
public final class CoreCounters
{
    long commands;
    long entriesApplied;
    long elections;
    long preVotes;
    long snapshotsWritten;
    long snapshotsInstalled;
    long snapshotsSent;
    long appendEntriesSent;
    long appendEntriesReceived;
    long consistentQueries;
    long termAndVoteWrites;
    long applyFailures;
    long machineCallbackFailures;
    long commandsRefused;
    long commandsOverloaded;

    /**
     * @return the counters as name → value.
     */
    public Map<String, Long> asMap()
    {
        final Map<String, Long> map = new LinkedHashMap<>();
        map.put("commands", commands);
        map.put("entries_applied", entriesApplied);
        map.put("elections", elections);
        map.put("pre_votes", preVotes);
        map.put("snapshots_written", snapshotsWritten);
        map.put("snapshots_installed", snapshotsInstalled);
        map.put("snapshots_sent", snapshotsSent);
        map.put("append_entries_sent", appendEntriesSent);
        map.put("append_entries_received", appendEntriesReceived);
        map.put("consistent_queries", consistentQueries);
        map.put("term_and_vote_writes", termAndVoteWrites);
        map.put("apply_failures", applyFailures);
        map.put("machine_callback_failures", machineCallbackFailures);
        map.put("commands_refused", commandsRefused);
        map.put("commands_overloaded", commandsOverloaded);
        return map;
    }

    /**
     * @return commands accepted as leader.
     */
    public long commands()
    {
        return commands;
    }

    /**
     * @return elections started (candidate rounds).
     */
    public long elections()
    {
        return elections;
    }

    /**
     * @return snapshots written locally.
     */
    public long snapshotsWritten()
    {
        return snapshotsWritten;
    }

    /**
     * @return snapshots installed from a leader.
     */
    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /**
     * @return entries whose {@code apply} or {@code applyBuiltin} threw (each counted as applied, state unchanged).
     */
    public long applyFailures()
    {
        return applyFailures;
    }

    /**
     * @return calls to {@code stateEnter} or {@code tick} that threw, and {@code Append} effects refused.
     */
    public long machineCallbackFailures()
    {
        return machineCallbackFailures;
    }
}
