package dev.ra.runtime;

import dev.ra.core.RaftAction;
import dev.ra.spi.MetaStore;
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
     * @param actions of one step.
     * @return the position of its last {@link RaftAction.PersistTermAndVote}, or -1.
     */
    static int last(final List<RaftAction> actions)
    {
        for (int i = actions.size() - 1; i >= 0; i--)
        {
            if (actions.get(i) instanceof RaftAction.PersistTermAndVote)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * At a {@link RaftAction.PersistTermAndVote} of the step: write the step's final term and vote if not yet done.
     *
     * @param written whether the step's term and vote were written already.
     * @param actions of the step.
     * @param last    from {@link #last}.
     * @param meta    the server's meta store.
     * @return true: they are written.
     */
    static boolean writeOnce(final boolean written, final List<RaftAction> actions, final int last,
        final MetaStore meta)
    {
        if (!written)
        {
            final RaftAction.PersistTermAndVote persist = (RaftAction.PersistTermAndVote)actions.get(last);
            meta.storeTermAndVote(persist.term(), persist.votedFor());
        }
        return true;
    }
}
