package dev.ra.lincheck;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Wing &amp; Gong's linearizability search with Lowe's memoisation, for the operations on a single key.
 *
 * <p>The history is a time-ordered list of invocation and completion events. Walking the list from the
 * front, every invocation met before the first completion belongs to an operation that is minimal in
 * real-time order, hence a candidate to be linearized next. A candidate the register model accepts is
 * linearized (its events are unlinked) and the walk restarts; meeting a completion means the operation it
 * belongs to can no longer be placed, so the last choice is undone. Indeterminate operations have no
 * completion event, so they stay candidates forever and never force a backtrack. The search succeeds as
 * soon as every definite operation is linearized: unapplied indeterminate updates simply never happened.
 */
final class WglSearch
{
    /** How often (in steps) the wall clock is consulted; nanoTime on every step would dominate the cost. */
    private static final int CLOCK_CHECK_INTERVAL = 1024;

    private final KeyHistory history;
    private final SearchBudget budget;

    private final SearchEntry head = new SearchEntry(null, false);
    private final Deque<Frame> linearization = new ArrayDeque<>();
    private final BitSet linearized = new BitSet();
    private final Set<SearchState> explored = new HashSet<>();
    private int registerState = RegisterModel.ABSENT;
    private int definiteRemaining;
    private long steps;

    private List<Operation> longestPrefix = List.of();
    private int longestPrefixEndState = RegisterModel.ABSENT;
    /**
     * Depth of the deepest linearization reached. It is copied out only when the search is about to leave it
     * (or ends), not at every step that deepens it: copying on every new maximum made long histories quadratic.
     */
    private int longestSize;
    private boolean longestNotCopied;

    /** One linearized operation and the register state just before it, for undoing it. */
    private record Frame(SearchEntry invocation, int stateBefore)
    {
    }

    WglSearch(final KeyHistory history, final SearchBudget budget)
    {
        this.history = history;
        this.budget = budget;
        this.definiteRemaining = history.definiteCount();
        buildEventList();
    }

    KeyCheckResult run()
    {
        final long deadline = System.nanoTime() + budget.maxTimePerKey().toNanos();
        SearchEntry entry = head.next;
        while (definiteRemaining > 0)
        {
            steps++;
            if (steps > budget.maxStepsPerKey() ||
                    (steps % CLOCK_CHECK_INTERVAL == 0 && System.nanoTime() - deadline > 0))
            {
                return result(Verdict.UNKNOWN);
            }
            if (entry != null && entry.invocation)
            {
                if (tryLinearize(entry))
                {
                    entry = head.next;
                }
                else
                {
                    entry = entry.next;
                }
            }
            else
            {
                // A completion (or the end of the list) before any acceptable candidate: the operation
                // completing here cannot be ordered after everything still pending, so undo the last choice.
                if (linearization.isEmpty())
                {
                    return result(Verdict.NOT_LINEARIZABLE);
                }
                entry = undoLast().next;
            }
        }
        longestNotCopied = false;
        longestPrefix = currentLinearization();
        longestPrefixEndState = registerState;
        return result(Verdict.LINEARIZABLE);
    }

    private boolean tryLinearize(final SearchEntry invocation)
    {
        final EncodedOperation op = invocation.operation;
        final int next = RegisterModel.apply(registerState, op);
        if (next == RegisterModel.ILLEGAL)
        {
            return false;
        }
        linearized.set(op.index());
        if (!explored.add(new SearchState((BitSet)linearized.clone(), next)))
        {
            linearized.clear(op.index());
            return false;
        }
        linearization.push(new Frame(invocation, registerState));
        registerState = next;
        if (!op.indeterminate())
        {
            definiteRemaining--;
        }
        invocation.unlink();
        if (linearization.size() > longestSize)
        {
            longestSize = linearization.size();
            longestNotCopied = true;
        }
        return true;
    }

    private SearchEntry undoLast()
    {
        copyLongestIfLeavingIt();
        final Frame frame = linearization.pop();
        final SearchEntry invocation = frame.invocation();
        registerState = frame.stateBefore();
        linearized.clear(invocation.operation.index());
        if (!invocation.operation.indeterminate())
        {
            definiteRemaining++;
        }
        invocation.relink();
        return invocation;
    }

    private void copyLongestIfLeavingIt()
    {
        if (longestNotCopied && linearization.size() == longestSize)
        {
            longestPrefix = currentLinearization();
            longestPrefixEndState = registerState;
            longestNotCopied = false;
        }
    }

    private List<Operation> currentLinearization()
    {
        final List<Operation> ops = new ArrayList<>(linearization.size());
        for (Iterator<Frame> it = linearization.descendingIterator(); it.hasNext(); )
        {
            ops.add(it.next().invocation().operation.source());
        }
        return ops;
    }

    private KeyCheckResult result(final Verdict verdict)
    {
        copyLongestIfLeavingIt();
        final String explanation = new ViolationExplainer(history, budget)
                .explain(verdict, longestPrefix, longestPrefixEndState, steps);
        return new KeyCheckResult(history.key(), verdict, history.checked(), longestPrefix, steps, explanation);
    }

    /**
     * Lays out invocations and completions in time order. At equal timestamps invocations come first, so
     * intervals are treated as closed: operations that merely touch are considered concurrent, which can
     * only hide an ordering constraint, never invent one.
     */
    private void buildEventList()
    {
        final List<SearchEntry> events = new ArrayList<>();
        for (final EncodedOperation op : history.encoded())
        {
            final SearchEntry invocation = new SearchEntry(op, true);
            events.add(invocation);
            if (!op.indeterminate())
            {
                invocation.completion = new SearchEntry(op, false);
                events.add(invocation.completion);
            }
        }
        events.sort(Comparator
                .comparingLong(WglSearch::eventTime)
                .thenComparing(event -> !event.invocation)
                .thenComparingInt(event -> event.operation.index()));
        SearchEntry previous = head;
        for (final SearchEntry event : events)
        {
            previous.next = event;
            event.prev = previous;
            previous = event;
        }
    }

    private static long eventTime(final SearchEntry event)
    {
        final Operation op = event.operation.source();
        return event.invocation ? op.invokeTime() : op.completeTime();
    }
}
