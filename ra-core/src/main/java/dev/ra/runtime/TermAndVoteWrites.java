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
     * At the step's first {@link RaftAction.PersistTermAndVote}: write the step's last term and vote. Steps without
     * one (nearly all) pay nothing.
     *
     * @param actions of the step.
     * @param first   position of its first {@link RaftAction.PersistTermAndVote}.
     * @param meta    the server's meta store.
     */
    static void writeLast(final List<RaftAction> actions, final int first, final MetaStore meta)
    {
        RaftAction.PersistTermAndVote last = (RaftAction.PersistTermAndVote)actions.get(first);
        for (int i = first + 1, n = actions.size(); i < n; i++)
        {
            if (actions.get(i) instanceof RaftAction.PersistTermAndVote later)
            {
                last = later;
            }
        }
        meta.storeTermAndVote(last.term(), last.votedFor());
    }
}
