package dev.ra.examples.support;

import dev.ra.ProcessRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a machine remembers of each client's numbered calls ({@link CommandNumber}), so that every call is applied at
 * most once and in its place: the Raft dissertation's client sessions (§6.3), as LogCabin keeps them for clients
 * with several calls at once, and as Ra's and Hazelcast CP's sessions do.
 *
 * <p>Per client and process the call is about (an owner, a member, a worker), the machine keeps the client's first
 * unanswered number and which calls at or above it were applied: the replies of the last applied, and the numbers of
 * the others as ranges. A command is then
 * <ul>
 *   <li>new: applied, and its reply remembered ({@link #applied});</li>
 *   <li>a retry of a call applied already: answered with its remembered reply, and applied no more; if the reply is
 *       no longer kept, answered {@link StaleCommand} (what the call did is unknown to its client then);</li>
 *   <li>stale, numbered below the client's first unanswered call: an attempt the client stopped waiting for (its
 *       retry answered, or the call was given up) before the client went on with later calls; applying it now would
 *       act behind the client's back (take a lock it released, say), so it is answered {@link StaleCommand} and
 *       applied not at all.</li>
 * </ul>
 *
 * <p>Bounded: a client's entry goes when the process it is about is known to have ended ({@link #forget}), when it
 * has had no command for {@link #RETAINED_MS} of log time (the leader time of the entries, never a clock read in
 * apply), and the least recently used go beyond {@link #MAX_CLIENTS}; a client keeps at most
 * {@link #MAX_UNANSWERED} replies (beyond, the reply applied longest ago goes, and its number joins the ranges of
 * calls applied without a reply kept), and at most {@link #MAX_APPLIED_RANGES} such ranges (beyond, its first
 * unanswered number moves past the lowest range). An attempt that comes after its client's entry went is applied as a
 * new call, as it was before the numbers. Immutable; part of a machine's state and snapshots.
 *
 * <p>The entries are a list, least recently used first (what snapshots hold), indexed by client and process, by use
 * and by idle time in trees of which each command copies only the paths it changes ({@link SequenceEntries}): a
 * numbered command costs O(log n) at any number of clients remembered, where scanning and copying the list cost
 * O(n).
 *
 * @param entries each client and process with its calls, least recently used first, each pair once.
 */
public record ClientSequences(List<Entry> entries)
{
    /** How long a client's entry outlives its last command, in log time: far beyond any call's retries. */
    public static final long RETAINED_MS = 5 * 60 * 1_000;
    /**
     * How many clients (each a client and a process) are remembered at most: as many as the replies remembered by
     * request id, since every command copies the entries, as it copies the rest of the state.
     */
    public static final int MAX_CLIENTS = 1_000;
    /** How many replies one client keeps at most. */
    public static final int MAX_UNANSWERED = 100;
    /**
     * How many ranges of numbers applied without a reply kept one client has at most: each is a gap between them, a
     * call of the client under way or given up, so a client has few but when it leaves many calls unanswered.
     */
    public static final int MAX_APPLIED_RANGES = 1_000;
    /** Nothing remembered. */
    public static final ClientSequences NONE = new ClientSequences(SequenceEntries.EMPTY);

    /** Copies the entries, keeping their order; of a client and process given twice, the later one is kept. */
    public ClientSequences
    {
        entries = SequenceEntries.of(entries);
    }

    /**
     * @param clients by client and process, least recently used first.
     * @return those calls.
     */
    public static ClientSequences of(final Map<Caller, Calls> clients)
    {
        final List<Entry> entries = new ArrayList<>(clients.size());
        clients.forEach((caller, calls) -> entries.add(new Entry(caller, calls)));
        return new ClientSequences(entries);
    }

    /**
     * @return the calls by client and process, least recently used first (a copy, to look at).
     */
    public Map<Caller, Calls> clients()
    {
        final Map<Caller, Calls> clients = new LinkedHashMap<>();
        for (final Entry entry : entries)
        {
            clients.put(entry.caller(), entry.calls());
        }
        return Collections.unmodifiableMap(clients);
    }

    /**
     * One client's calls about one process.
     *
     * @param caller the client and the process.
     * @param calls  of the client about it.
     */
    public record Entry(Caller caller, Calls calls)
    {
        /** Checks that the parts are not null. */
        public Entry
        {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(calls, "calls");
        }
    }

    /**
     * A client, and the process its calls are about.
     *
     * @param client  id of the client ({@link CommandNumber#client()}).
     * @param process the calls are about.
     */
    public record Caller(String client, ProcessRef process)
    {
        /** Checks that the parts are not null. */
        public Caller
        {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(process, "process");
        }
    }

    /**
     * One client's calls about one process.
     *
     * @param firstUnanswered     below which every call of the client is finished.
     * @param replies             of the last calls applied at or above it, the one applied longest ago first.
     * @param appliedWithoutReply the other calls applied at or above it: their numbers, as sorted ranges, neither
     *                            overlapping nor adjacent.
     * @param lastMs              log time of the client's last command.
     */
    public record Calls(long firstUnanswered, List<Reply> replies, List<NumberRange> appliedWithoutReply, long lastMs)
    {
        /** Copies the replies and the ranges. */
        public Calls
        {
            replies = List.copyOf(replies);
            appliedWithoutReply = List.copyOf(appliedWithoutReply);
        }
    }

    /**
     * Call numbers from one to another.
     *
     * @param first the lowest.
     * @param last  the highest, at or above the lowest.
     */
    public record NumberRange(long first, long last)
    {
        /** Checks the order. */
        public NumberRange
        {
            if (last < first)
            {
                throw new IllegalArgumentException("range from " + first + " to " + last);
            }
        }
    }

    /**
     * The reply a numbered call was given.
     *
     * @param number of the call.
     * @param value  of the reply, null if it had none.
     */
    public record Reply(long number, Object value)
    {
    }

    /**
     * What to answer, instead of applying it, to a command applied already or stale.
     *
     * @param reply the remembered reply of a retry, or a {@link StaleCommand} (a stale attempt, or a retry of a call
     *              whose reply is no longer kept).
     */
    public record Earlier(Object reply)
    {
    }

    /**
     * @param process the command is about.
     * @param number  of the command.
     * @return null if the command is new (apply it, then {@link #applied}); otherwise what to answer without applying
     *     it.
     */
    public Earlier earlier(final ProcessRef process, final CommandNumber number)
    {
        final Entry found = indexed().find(number.client(), process);
        if (null == found)
        {
            return null;
        }
        final Calls calls = found.calls();
        if (number.number() < calls.firstUnanswered())
        {
            return new Earlier(new StaleCommand(number, calls.firstUnanswered()));
        }
        for (final Reply reply : calls.replies())
        {
            if (reply.number() == number.number())
            {
                return new Earlier(reply.value());
            }
        }
        if (NumberRanges.contains(calls.appliedWithoutReply(), number.number()))
        {
            // Applied, so not applied again; what it answered is no longer known, as for a stale attempt.
            return new Earlier(new StaleCommand(number, calls.firstUnanswered()));
        }
        return null;
    }

    /**
     * @param process the command was about.
     * @param number  of a command just applied (one {@link #earlier} found new).
     * @param reply   it was given.
     * @param nowMs   log time of its entry.
     * @return these calls with its reply remembered, its client's finished calls forgotten, and the clients idle
     *     beyond {@link #RETAINED_MS} or beyond {@link #MAX_CLIENTS} gone.
     */
    public ClientSequences applied(final ProcessRef process, final CommandNumber number, final Object reply,
        final long nowMs)
    {
        final SequenceEntries indexed = indexed();
        final Entry found = indexed.find(number.client(), process);
        final Calls before = null == found ? null : found.calls();
        long first = Math.max(number.firstUnanswered(), null == before ? 1 : before.firstUnanswered());
        final List<Reply> replies = new ArrayList<>(MAX_UNANSWERED + 1);
        if (null != before)
        {
            for (final Reply kept : before.replies())
            {
                if (kept.number() >= first)
                {
                    replies.add(kept);
                }
            }
        }
        replies.add(new Reply(number.number(), reply));
        List<NumberRange> withoutReply = null == before ? List.of() :
            NumberRanges.from(before.appliedWithoutReply(), first);
        while (replies.size() > MAX_UNANSWERED)
        {
            // Its client has most likely had it by now; the call stays applied, never applied again. The first
            // unanswered number stays the client's: a call above it not applied yet (a slow one of a client shared
            // by many threads) is still new.
            withoutReply = NumberRanges.with(withoutReply, replies.remove(0).number());
        }
        while (withoutReply.size() > MAX_APPLIED_RANGES)
        {
            // A client that leaves that many calls unanswered: the calls below the new floor are refused from
            // then on, whether applied or not, and none is applied twice.
            first = withoutReply.get(0).last() + 1;
            withoutReply = NumberRanges.from(withoutReply, first);
        }
        final long floor = first;
        replies.removeIf(kept -> kept.number() < floor);
        final Caller caller = null == found ? new Caller(number.client(), process) : found.caller();
        SequenceEntries next = indexed.withoutCaller(caller).withoutIdle(nowMs, RETAINED_MS);
        while (next.size() >= MAX_CLIENTS)
        {
            next = next.withoutLeastRecentlyUsed();
        }
        // The most recently used last, so that the least recently used are the first to go.
        return new ClientSequences(next.withNewest(new Entry(caller, new Calls(first, replies, withoutReply, nowMs))));
    }

    /**
     * @param ended a process known to have ended: a late attempt about it finds a process the machine handles as
     *              ended again (a lock or a place in a group it is given goes with the next monitor's report).
     * @return these calls without those about it; this object if there were none.
     */
    public ClientSequences forget(final ProcessRef ended)
    {
        final SequenceEntries indexed = indexed();
        final SequenceEntries next = indexed.withoutProcess(ended);
        return next == indexed ? this : new ClientSequences(next);
    }

    /** Always so: the constructor indexes the entries it is given. */
    private SequenceEntries indexed()
    {
        return (SequenceEntries)entries;
    }
}
