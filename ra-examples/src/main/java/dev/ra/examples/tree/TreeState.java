package dev.ra.examples.tree;

import dev.ra.examples.lease.SessionTable;
import dev.ra.examples.support.ClientSequences;
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
 * @param unreachableWatchExpiryMs in force (machine version 2 on), set by the last {@link TreeCommand.Configure};
 *                    until the first, the {@link TreeMachine#DEFAULT_UNREACHABLE_WATCH_EXPIRY} in a new tree,
 *                    and {@link #EXPIRY_OF_EACH_MEMBER} from the switch to version 2.
 * @param sequences   of the clients' numbered writes ({@link NumberedWrite}, machine version 4; none before).
 */
public record TreeState(Map<String, ZNode> nodes, SessionTable sessions, TreeWatches watches, long zxid,
    long cursorIndex, long unreachableWatchExpiryMs, ClientSequences sequences) implements CursorTracked<TreeState>
{
    /**
     * The {@link #unreachableWatchExpiryMs()} from the switch to version 2 until the leader's
     * {@link TreeCommand.Configure}: each member applies its own expiry, as at version 1, so that the entries already
     * in the log behind the switch are applied as before.
     */
    public static final long EXPIRY_OF_EACH_MEMBER = -1;
    /** The tree with only its root. */
    public static final TreeState EMPTY = new TreeState(
        Map.of(TreePaths.ROOT, new ZNode(TreePaths.ROOT, "", Stat.ROOT, List.of())), SessionTable.EMPTY,
        TreeWatches.EMPTY, 0, 0);

    /** Checks that the parts are not null and the expiry not negative. */
    public TreeState
    {
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(watches, "watches");
        Objects.requireNonNull(sequences, "sequences");
        if (unreachableWatchExpiryMs < 0 && EXPIRY_OF_EACH_MEMBER != unreachableWatchExpiryMs)
        {
            throw new IllegalArgumentException("unreachable watch expiry must be >= 0 ms, got " +
                unreachableWatchExpiryMs);
        }
    }

    /**
     * A state with no numbered writes, the shape of machine versions 2 and 3.
     *
     * @param nodes       by path, the root included.
     * @param sessions    the session table.
     * @param watches     the watches and watchers.
     * @param zxid        of the last change.
     * @param cursorIndex log index of the last release cursor.
     * @param unreachableWatchExpiryMs in force.
     */
    public TreeState(final Map<String, ZNode> nodes, final SessionTable sessions, final TreeWatches watches,
        final long zxid, final long cursorIndex, final long unreachableWatchExpiryMs)
    {
        this(nodes, sessions, watches, zxid, cursorIndex, unreachableWatchExpiryMs, ClientSequences.NONE);
    }

    /**
     * A state with the default unreachable watch expiry, the shape of machine versions 0 and 1.
     *
     * @param nodes       by path, the root included.
     * @param sessions    the session table.
     * @param watches     the watches and watchers.
     * @param zxid        of the last change.
     * @param cursorIndex log index of the last release cursor.
     */
    public TreeState(final Map<String, ZNode> nodes, final SessionTable sessions, final TreeWatches watches,
        final long zxid, final long cursorIndex)
    {
        this(nodes, sessions, watches, zxid, cursorIndex, TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY.toMillis());
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
        return new TreeState(nextNodes, nextSessions, nextWatches, nextZxid, cursorIndex, unreachableWatchExpiryMs,
            sequences);
    }

    /**
     * @param next unreachable watch expiry in force from now on, in milliseconds.
     * @return a copy of this state with it.
     */
    TreeState withUnreachableWatchExpiryMs(final long next)
    {
        return new TreeState(nodes, sessions, watches, zxid, cursorIndex, next, sequences);
    }

    /**
     * @param next the clients' numbered writes.
     * @return a copy of this state with them.
     */
    TreeState withSequences(final ClientSequences next)
    {
        return new TreeState(nodes, sessions, watches, zxid, cursorIndex, unreachableWatchExpiryMs, next);
    }

    @Override
    public TreeState withCursorIndex(final long index)
    {
        return new TreeState(nodes, sessions, watches, zxid, index, unreachableWatchExpiryMs, sequences);
    }
}
