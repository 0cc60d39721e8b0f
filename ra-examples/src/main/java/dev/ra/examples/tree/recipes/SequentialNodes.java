package dev.ra.examples.tree.recipes;

import dev.ra.RaException;
import dev.ra.examples.tree.CreateMode;
import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreePaths;
import dev.ra.examples.tree.TreeReply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The ephemeral sequential node a lock or latch contender owns under a parent path, created in Curator's protected
 * mode: its name starts with {@code _c_<uuid>-}, so that after a create whose outcome is unknown (the leader died
 * with it) the contender finds its node by name instead of creating a second one that would never be deleted.
 */
final class SequentialNodes
{
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
     */
    static String create(final TreeClient client, final String parent, final String label, final long sessionId)
    {
        final String prefix = "_c_" + UUID.randomUUID() + "-" + label;
        RaException last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                final TreeReply reply = client.create(TreePaths.child(parent, prefix), "",
                    CreateMode.EPHEMERAL_SEQUENTIAL, sessionId);
                if (reply instanceof TreeReply.Created created)
                {
                    return TreePaths.name(created.path());
                }
                throw new IllegalStateException("cannot create a node under '" + parent + "': " + reply);
            }
            catch (final RaException unknown)
            {
                last = unknown;
                final String found = find(client, parent, prefix);
                if (null != found)
                {
                    return found;
                }
            }
        }
        throw last;
    }

    private static String find(final TreeClient client, final String parent, final String prefix)
    {
        try
        {
            for (final String name : client.getChildren(parent).orElse(List.of()))
            {
                if (name.startsWith(prefix))
                {
                    return name;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // Not known yet either: try the create again.
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
