package dev.ra.runtime;

import dev.ra.core.RaftAction;
import dev.ra.spi.MetaStore;
import java.util.ArrayList;
import java.util.List;

/**
 * One write of the term and vote per step of the core. A step that raises the term and then votes in it (a
 * RequestVote from a newer term) asks for two writes, each a sync of the meta store, on the path of every election:
 * writing the final term and vote once, at the first one's place, is as safe, since nothing the step sends goes out
 * before it and the term only grows within a step.
 */
final class TermAndVoteWrites
{
    private TermAndVoteWrites()
    {
    }

    /**
     * At the step's first {@link RaftAction.PersistTermAndVote}: write the step's last term and vote. Steps without
     * one (nearly all) pay nothing.
     *
     * @param actions of the step.
     * @param first   position of its first {@link RaftAction.PersistTermAndVote}.
     * @param meta    the server's meta store.
     */
    static void writeLast(final List<RaftAction> actions, final int first, final MetaStore meta)
    {
        final RaftAction.PersistTermAndVote last = lastOf(actions, first);
        meta.storeTermAndVote(last.term(), last.votedFor());
    }

    /**
     * @param actions of the step.
     * @param first   position of its first {@link RaftAction.PersistTermAndVote}.
     * @return the step's last {@link RaftAction.PersistTermAndVote}: the one to write.
     */
    static RaftAction.PersistTermAndVote lastOf(final List<RaftAction> actions, final int first)
    {
        RaftAction.PersistTermAndVote last = (RaftAction.PersistTermAndVote)actions.get(first);
        for (int i = first + 1, n = actions.size(); i < n; i++)
        {
            if (actions.get(i) instanceof RaftAction.PersistTermAndVote later)
            {
                last = later;
            }
        }
        return last;
    }

    /**
     * What a step does after its first {@link RaftAction.PersistTermAndVote}, held back while the write is in
     * flight: a copy (the core reuses its list), without the later writes (the one written covers them).
     *
     * @param actions of the step.
     * @param first   position of its first {@link RaftAction.PersistTermAndVote}.
     * @return the actions after it, in order.
     */
    static List<RaftAction> after(final List<RaftAction> actions, final int first)
    {
        final List<RaftAction> rest = new ArrayList<>(actions.size() - first - 1);
        for (int i = first + 1, n = actions.size(); i < n; i++)
        {
            if (!(actions.get(i) instanceof RaftAction.PersistTermAndVote))
            {
                rest.add(actions.get(i));
            }
        }
        return rest;
    }
}
