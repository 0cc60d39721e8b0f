package dev.ra.examples.tree.recipes;

import dev.ra.RaException;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeCommand;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A double barrier, as Curator's {@code DistributedDoubleBarrier}: {@link #enter} blocks until {@code memberCount}
 * members have entered, {@link #leave} until every member that entered has left. Each member is an ephemeral node
 * under the barrier path (bound to its session, so a member whose process dies leaves when its session expires); the
 * last member to arrive creates {@code <barrierPath>/ready}, which lets everyone in, and the last to leave deletes it,
 * so the barrier can be used again.
 *
 * <p>A member's node is created in Curator's protected mode ({@code _c_<uuid>-member}, a new name for each attempt,
 * see {@link SequentialNodes}): after a create whose outcome is unknown the member finds its node by name, and a node
 * of an attempt given up (a create still applied after the member looked, or after {@link #enter} failed) is deleted
 * in the background as soon as it shows up. So no phantom member, which nobody would ever take out, counts towards
 * the others' barrier or holds their {@link #leave} for as long as the session lives.
 *
 * <p>The {@code ready} node is created on condition that the creating member's node still exists (a multi with a
 * check), and the last member out deletes it together with its own node: so a creation of {@code ready} that is
 * applied late (sent again after an unknown outcome, or held up on its way) cannot open the next round before its
 * members are all in. Curator's recipe has no such fence.
 *
 * <p>Leaving follows Curator: the lowest member waits for the highest to go; every other member deletes its node and
 * waits for the lowest. One instance is one member; not for concurrent use by several threads.
 */
public final class DistributedDoubleBarrier
{
    private static final String READY = "ready";

    private final TreeClient client;
    private final String barrierPath;
    private final int memberCount;
    private final long sessionId;
    /** This member's node name while it is in (from a successful enter until it has left), else null. */
    private String name;

    /**
     * @param client      to reach the tree.
     * @param barrierPath persistent node the members' nodes go under; created if missing.
     * @param memberCount how many members must enter before any goes through, at least 1.
     * @param sessionId   this member's node is bound to.
     */
    public DistributedDoubleBarrier(final TreeClient client, final String barrierPath, final int memberCount,
        final long sessionId)
    {
        this.client = Objects.requireNonNull(client, "client");
        this.barrierPath = Objects.requireNonNull(barrierPath, "barrierPath");
        if (memberCount < 1)
        {
            throw new IllegalArgumentException("a double barrier needs at least 1 member, got " + memberCount);
        }
        this.memberCount = memberCount;
        this.sessionId = sessionId;
    }

    /**
     * Enter, and wait until {@code memberCount} members have.
     *
     * @param timeout to wait.
     * @return true once everyone is in; false if the time ran out (this member's node is then deleted, in the
     *         background if the cluster cannot be reached).
     * @throws InterruptedException  if interrupted (this member's node is then deleted).
     * @throws IllegalStateException if the session is not live.
     * @throws RaException           if the cluster could not be reached: this member is not in (its node, if one of
     *                               its creates is applied after all, is deleted in the background).
     */
    public boolean enter(final Duration timeout) throws InterruptedException
    {
        final long deadline = Signal.deadline(timeout);
        client.ensurePath(barrierPath);
        if (null == name || client.exists(ours()).isEmpty())
        {
            name = null;
            name = SequentialNodes.create(client, barrierPath, "member", CreateMode.EPHEMERAL, sessionId);
        }
        boolean entered = false;
        try
        {
            entered = awaitEveryone(deadline);
            return entered;
        }
        finally
        {
            if (!entered)
            {
                // Not in: a node left behind would count towards the others' barrier.
                try
                {
                    client.deleteGuaranteed(ours(), TreeOp.ANY_VERSION);
                }
                catch (final RaException ex)
                {
                    // Deleted in the background.
                }
                name = null;
            }
        }
    }

    private boolean awaitEveryone(final long deadline) throws InterruptedException
    {
        final String ready = TreePaths.child(barrierPath, READY);
        final Signal signal = new Signal();
        final PendingWatch watch = new PendingWatch(signal::fire);
        while (true)
        {
            if (watch.present(client, ready, true))
            {
                return true;
            }
            if (members().size() >= memberCount)
            {
                final TreeReply.MultiResult made;
                try
                {
                    made = client.multi(opening().ops());
                }
                catch (final RaException ex)
                {
                    if (!ClusterClient.outcomeUnknown(ex) || System.nanoTime() - deadline >= 0)
                    {
                        throw ex;
                    }
                    // It may have been made: look again (a second create of it answers NodeExists), shortly.
                    signal.await(deadline);
                    continue;
                }
                if (made.ok() || made.results().get(1) instanceof TreeReply.NodeExists)
                {
                    return true;
                }
                if (made.results().get(0) instanceof TreeReply.NoNode)
                {
                    throw new IllegalStateException("cannot open barrier '" + barrierPath + "': this member's node " +
                        ours() + " is gone (its session ended, or it was deleted)");
                }
                throw new IllegalStateException("cannot open barrier '" + barrierPath + "': " + made);
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            signal.await(deadline);
        }
    }

    /**
     * Leave, and wait until every member has. The last member out closes the barrier; if the outcome of that is
     * unknown (a leader lost under it), it looks again within {@code timeout} instead of failing.
     *
     * @param timeout to wait.
     * @return true once everyone is out; false if the time ran out.
     * @throws InterruptedException if interrupted.
     * @throws RaException          if the cluster could not be reached, or the closing's outcome is still unknown
     *                              when {@code timeout} runs out.
     */
    public boolean leave(final Duration timeout) throws InterruptedException
    {
        final long deadline = Signal.deadline(timeout);
        final Signal signal = new Signal();
        final PendingWatch watch = new PendingWatch(signal::fire);
        while (true)
        {
            final List<String> members = members();
            if (members.isEmpty())
            {
                name = null;
                return true;
            }
            final boolean present = members.contains(name);
            if (present && 1 == members.size())
            {
                // The last one out closes the barrier behind everyone, so that it can be entered again, in one step
                // with its own leaving: an opening of its own applied late cannot fall between the two.
                final TreeReply.MultiResult closed;
                try
                {
                    closed = client.multi(List.of(
                        new TreeOp.Delete(TreePaths.child(barrierPath, READY), TreeOp.ANY_VERSION),
                        new TreeOp.Delete(ours(), TreeOp.ANY_VERSION)));
                }
                catch (final RaException ex)
                {
                    if (!ClusterClient.outcomeUnknown(ex) || System.nanoTime() - deadline >= 0)
                    {
                        throw ex;
                    }
                    // Applied or not (a leader lost under it): look again, shortly. Applied, this member's node is
                    // gone with ready; a copy applied later deletes nothing, this member's node being gone for good.
                    signal.await(deadline);
                    continue;
                }
                if (!closed.ok())
                {
                    // Not open (or no longer this member's node): leaving is all there is to do.
                    client.delete(ours(), TreeOp.ANY_VERSION);
                }
                name = null;
                return true;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            final String awaited;
            if (present && members.get(0).equals(name))
            {
                awaited = members.get(members.size() - 1);
            }
            else
            {
                if (present)
                {
                    client.delete(ours(), TreeOp.ANY_VERSION);
                }
                awaited = members.get(0);
            }
            // No watch on a member found gone: its path may never come back, and the watch would stay for good.
            if (watch.present(client, TreePaths.child(barrierPath, awaited), false))
            {
                signal.await(deadline);
            }
        }
    }

    /**
     * The command that opens the barrier: the creation of its {@code ready} node, on condition that this member's
     * node still exists. The condition fences an opening applied late (sent again after an unknown outcome, or
     * delayed on its way) once the round is over: every member's node is gone by then, so the late opening changes
     * nothing, where a plain create would open the next round before its members are all in.
     *
     * @return the command, for this member while it is in.
     */
    TreeCommand.Multi opening()
    {
        return new TreeCommand.Multi(List.of(new TreeOp.Check(ours(), TreeOp.ANY_VERSION),
            new TreeOp.Create(TreePaths.child(barrierPath, READY), "", CreateMode.PERSISTENT, 0)));
    }

    private String ours()
    {
        return TreePaths.child(barrierPath, name);
    }

    private List<String> members()
    {
        final List<String> members = new ArrayList<>(client.getChildren(barrierPath).orElse(List.of()));
        members.remove(READY);
        members.sort(null);
        return members;
    }
}
