package dev.ra.examples.tree.recipes;

import dev.ra.RaException;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeMachine;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeReply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The ephemeral sequential node a lock or latch contender owns under a parent path (or the plain ephemeral node of a
 * barrier member), created in Curator's protected mode: its name starts with {@code _c_<uuid>-}, so that after a
 * create whose outcome is unknown (the leader died with it, or its commit outlasted the call) the contender finds its
 * node by name instead of creating a second one that would never be deleted. Unlike ZooKeeper, which orders a
 * session's requests, a create whose outcome is unknown may still be applied after the look that did not find it: a
 * create sent again therefore has a name of its own, and the one given up is deleted in the background if it ever
 * shows up ({@link TreeClient#deleteWhenCreated}), so that it never stands in line (or counts as a barrier member)
 * for as long as the session lives.
 *
 * <p>Each create is numbered ({@link TreeClient#create(String, String, CreateMode, long, long)}) and retried with its
 * number while the call's deadline lasts: a retry answers the node its first attempt made, and a copy of it held up
 * on its way makes no second node when it lands after the contender went on (a plain create made one, which nobody
 * knew of, and which held the lock once first in line). The protected names stay for a create whose outcome is still
 * unknown at the deadline, for a cluster at machine version 3 or older (sent the plain create, once), and for a create
 * whose client's numbers the tree forgot.
 */
final class SequentialNodes
{
    private static final int CREATES = 5;

    private SequentialNodes()
    {
    }

    /**
     * @param client    to create with.
     * @param parent    persistent parent path.
     * @param label     of the node, after the protection prefix.
     * @param sessionId the node is bound to.
     * @return the name (not path) of the created node.
     * @throws IllegalStateException if the session is not live.
     * @throws RaException           if no create was known to succeed within the client's timeout; any node one of
     *                               them makes later is deleted in the background.
     */
    static String create(final TreeClient client, final String parent, final String label, final long sessionId)
    {
        return create(client, parent, label, CreateMode.EPHEMERAL_SEQUENTIAL, sessionId);
    }

    /**
     * @param client    to create with.
     * @param parent    persistent parent path.
     * @param label     of the node, after the protection prefix.
     * @param mode      {@link CreateMode#EPHEMERAL_SEQUENTIAL}, or {@link CreateMode#EPHEMERAL} for a node whose name
     *                  is its protection prefix and label alone (a name of its own on every attempt).
     * @param sessionId the node is bound to.
     * @return the name (not path) of the created node.
     * @throws IllegalStateException if the session is not live.
     * @throws RaException           if no create was known to succeed within the client's timeout; any node one of
     *                               them makes later is deleted in the background.
     */
    static String create(final TreeClient client, final String parent, final String label, final CreateMode mode,
        final long sessionId)
    {
        // One deadline for every create and look of the call.
        final long deadline = client.cluster().deadline();
        RaException last = null;
        for (int attempt = 0; attempt < CREATES && (null == last || System.nanoTime() - deadline < 0); attempt++)
        {
            final String prefix = "_c_" + UUID.randomUUID() + "-" + label;
            try
            {
                // Numbered, and retried with its number while the deadline lasts: a retry answers the node its first
                // attempt made, and a copy of it held up on its way makes no second node when it lands late.
                final TreeReply reply = client.create(TreePaths.child(parent, prefix), "", mode, sessionId, deadline);
                if (reply instanceof TreeReply.Created created)
                {
                    return TreePaths.name(created.path());
                }
                throw new IllegalStateException("cannot create a node under '" + parent + "': " + reply);
            }
            catch (final RaException unknown)
            {
                if (!ClusterClient.outcomeUnknown(unknown))
                {
                    throw unknown;
                }
                last = unknown;
                final String found = find(client, parent, prefix, deadline);
                if (null != found)
                {
                    return found;
                }
                // Not there yet, but it may still be applied: it must not stand in line unseen.
                client.deleteWhenCreated(parent, prefix, sessionId);
            }
        }
        throw last;
    }

    private static String find(final TreeClient client, final String parent, final String prefix,
        final long deadline)
    {
        try
        {
            final List<String> children = client.cluster().namedQuery(TreeMachine.GET_CHILDREN, parent, true,
                deadline);
            for (final String name : null == children ? List.<String>of() : children)
            {
                if (name.startsWith(prefix))
                {
                    return name;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // Not known yet either: try a create of another name.
        }
        return null;
    }

    /**
     * @param names of sequential nodes (others are ignored).
     * @return those names ordered by their sequence number.
     */
    static List<String> sorted(final List<String> names)
    {
        final List<String> sorted = new ArrayList<>();
        for (final String name : names)
        {
            if (TreePaths.sequence(name) >= 0)
            {
                sorted.add(name);
            }
        }
        sorted.sort(Comparator.comparingLong(TreePaths::sequence));
        return sorted;
    }
}
