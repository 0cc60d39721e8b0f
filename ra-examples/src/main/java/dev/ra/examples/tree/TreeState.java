package dev.ra.examples.tree;

import dev.ra.examples.lease.SessionTable;
import dev.ra.examples.support.CursorTracked;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link TreeMachine}: the nodes by path, the sessions ephemeral nodes are bound to, the watches,
 * and the tree's zxid.
 *
 * @param nodes       by path, the root included.
 * @param sessions    the session table.
 * @param watches     the watches and watchers.
 * @param zxid        of the last change (log index of the last command that changed a node); 0 before any.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 */
public record TreeState(Map<String, ZNode> nodes, SessionTable sessions, TreeWatches watches, long zxid,
    long cursorIndex) implements CursorTracked<TreeState>
{
    /** The tree with only its root. */
    public static final TreeState EMPTY = new TreeState(
        Map.of(TreePaths.ROOT, new ZNode(TreePaths.ROOT, "", Stat.ROOT, List.of())), SessionTable.EMPTY,
        TreeWatches.EMPTY, 0, 0);

    /** Checks that the parts are not null. */
    public TreeState
    {
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(watches, "watches");
    }

    /**
     * @param path of a node.
     * @return the node, or {@code null}.
     */
    public ZNode node(final String path)
    {
        return nodes.get(path);
    }

    /**
     * @param path of a node.
     * @return the names of its children, sorted; {@code null} if it does not exist.
     */
    public List<String> children(final String path)
    {
        final ZNode node = nodes.get(path);
        if (null == node)
        {
            return null;
        }
        final List<String> names = new ArrayList<>(node.children());
        names.sort(null);
        return List.copyOf(names);
    }

    TreeState with(final Map<String, ZNode> nextNodes, final SessionTable nextSessions,
        final TreeWatches nextWatches, final long nextZxid)
    {
        return new TreeState(nextNodes, nextSessions, nextWatches, nextZxid, cursorIndex);
    }

    @Override
    public TreeState withCursorIndex(final long index)
    {
        return new TreeState(nodes, sessions, watches, zxid, index);
    }
}
