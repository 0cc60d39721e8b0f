package dev.ra.examples.tree;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plain sequential model of the tree the machine is checked against: mutable nodes, a set of live sessions, a list
 * of watches, ZooKeeper's rules written out one by one. A multi runs on a copy that is kept only if every op succeeds.
 */
final class TreeModel
{
    /** A mutable node. */
    static final class Node
    {
        String data;
        long czxid;
        long mzxid;
        long pzxid;
        int version;
        int cversion;
        long owner;
        final List<String> children = new ArrayList<>();

        Node copy()
        {
            final Node n = new Node();
            n.data = data;
            n.czxid = czxid;
            n.mzxid = mzxid;
            n.pzxid = pzxid;
            n.version = version;
            n.cversion = cversion;
            n.owner = owner;
            n.children.addAll(children);
            return n;
        }

        Stat stat()
        {
            return new Stat(czxid, mzxid, pzxid, version, cversion, owner, children.size());
        }
    }

    Map<String, Node> nodes = new LinkedHashMap<>();
    final Set<Long> sessions = new LinkedHashSet<>();
    final List<TreeWatch> watches = new ArrayList<>();
    final List<ProcessRef> watchers = new ArrayList<>();
    /** Watchers whose watches expired while their node was cut off, oldest first. */
    final List<ProcessRef> expired = new ArrayList<>();
    long epoch;
    long zxid;
    /** Every change, in order: what happened where, at which zxid. */
    final List<TreeWatchMessage.Event> history = new ArrayList<>();
    /** The messages the leader would send, in order, since the test last took them. */
    final List<Effect.SendMsg> sent = new ArrayList<>();
    private final List<TreeWatchMessage.Event> pending = new ArrayList<>();

    TreeModel()
    {
        final Node root = new Node();
        root.data = "";
        nodes.put("/", root);
    }

    Map<String, ZNode> snapshot()
    {
        final Map<String, ZNode> view = new LinkedHashMap<>();
        nodes.forEach((path, n) -> view.put(path, new ZNode(path, n.data, n.stat(), List.copyOf(n.children))));
        return view;
    }

    /** Apply one write at {@code index}; returns the reply. */
    TreeReply write(final TreeOp op, final long index)
    {
        final Map<String, Node> before = deepCopy();
        final TreeReply reply = op(op, index);
        if (reply.ok())
        {
            commit(index);
        }
        else
        {
            nodes = before;
            pending.clear();
        }
        return reply;
    }

    TreeReply.MultiResult multi(final List<TreeOp> ops, final long index)
    {
        final Map<String, Node> before = deepCopy();
        final List<TreeReply> results = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++)
        {
            final TreeReply r = op(ops.get(i), index);
            if (!r.ok())
            {
                nodes = before;
                pending.clear();
                final List<TreeReply> failed = new ArrayList<>();
                for (int j = 0; j < ops.size(); j++)
                {
                    failed.add(j < i ? new TreeReply.RolledBack() : j == i ? r : new TreeReply.NotRun());
                }
                return new TreeReply.MultiResult(false, failed);
            }
            results.add(r);
        }
        commit(index);
        return new TreeReply.MultiResult(true, results);
    }

    void endSession(final long id, final long index)
    {
        if (!sessions.remove(id))
        {
            return;
        }
        for (final String path : new ArrayList<>(nodes.keySet()))
        {
            final Node n = nodes.get(path);
            if (null != n && n.owner == id)
            {
                delete(path, index);
            }
        }
        commit(index);
    }

    void addWatch(final TreeWatch watch)
    {
        if (!watchers.contains(watch.watcher()))
        {
            watchers.add(watch.watcher());
            expired.remove(watch.watcher());
        }
        if (!watches.contains(watch))
        {
            watches.add(watch);
        }
    }

    void down(final ProcessRef process)
    {
        watchers.remove(process);
        watches.removeIf(w -> w.watcher().equals(process));
        expired.remove(process);
    }

    /** A watcher cut off past the bound: its watches go, it is remembered to be told on its return. */
    void expire(final ProcessRef process)
    {
        if (watchers.remove(process))
        {
            watches.removeIf(w -> w.watcher().equals(process));
            expired.remove(process);
            expired.add(process);
        }
    }

    void nodeUp(final String node)
    {
        final List<ProcessRef> back = expired.stream().filter(w -> w.node().equals(node)).toList();
        expired.removeAll(back);
        watchers.addAll(back);
        for (final ProcessRef w : watchers)
        {
            if (w.node().equals(node))
            {
                sent.add(new Effect.SendMsg(w, new TreeWatchMessage.Resync(zxid)));
            }
        }
    }

    void failover()
    {
        for (final ProcessRef w : watchers)
        {
            sent.add(new Effect.SendMsg(w, new TreeWatchMessage.Resync(zxid)));
        }
        for (final ProcessRef w : expired)
        {
            sent.add(new Effect.SendMsg(w, new TreeWatchMessage.Resync(zxid)));
        }
    }

    void reregister(final ProcessRef watcher, final List<TreeCommand.HeldWatch> held, final long index)
    {
        for (final TreeCommand.HeldWatch h : held)
        {
            final TreeWatch watch = new TreeWatch(watcher, h.path(), h.mode());
            final Node n = nodes.get(h.path());
            TreeEventType missed = null;
            String ancestor = "/".equals(h.path()) ? "/" : TreePaths.parent(h.path());
            while (!nodes.containsKey(ancestor))
            {
                ancestor = TreePaths.parent(ancestor);
            }
            // For a node that is gone: the last child change of its nearest ancestor, at or after the deletion.
            long at = nodes.get(ancestor).pzxid;
            if (h.mode() == WatchMode.DATA)
            {
                missed = null == n ? TreeEventType.NODE_DELETED :
                    n.mzxid > h.zxid() ? TreeEventType.NODE_DATA_CHANGED : null;
                at = null == n ? at : n.mzxid;
            }
            else if (h.mode() == WatchMode.CHILD)
            {
                missed = null == n ? TreeEventType.NODE_DELETED :
                    n.pzxid > h.zxid() ? TreeEventType.NODE_CHILDREN_CHANGED : null;
                at = null == n ? at : n.pzxid;
            }
            else if (h.mode() == WatchMode.EXIST)
            {
                if (null != n)
                {
                    missed = TreeEventType.NODE_CREATED;
                    at = Math.max(n.czxid, h.zxid() + 1);
                }
                else if (nodes.get(ancestor).pzxid > h.zxid())
                {
                    missed = TreeEventType.NODE_DELETED;
                }
            }
            if (null == missed)
            {
                addWatch(watch);
            }
            else
            {
                sent.add(new Effect.SendMsg(watcher, new TreeWatchMessage.Event(missed, h.path(), at)));
                watches.remove(watch);
            }
        }
    }

    private TreeReply op(final TreeOp op, final long index)
    {
        final boolean sequential = op instanceof TreeOp.Create create && create.mode().isSequential();
        if (null != TreePaths.problem(op.path(), sequential))
        {
            return new TreeReply.BadArguments(TreePaths.problem(op.path(), sequential));
        }
        final String path = op.path();
        if (op instanceof TreeOp.Create c)
        {
            if (!sequential && "/".equals(path))
            {
                return new TreeReply.NodeExists("/");
            }
            final String parentPath = TreePaths.parent(sequential ? path + "0" : path);
            final Node parent = nodes.get(parentPath);
            if (null == parent)
            {
                return new TreeReply.NoNode(parentPath);
            }
            if (parent.owner != 0)
            {
                return new TreeReply.NoChildrenForEphemerals(parentPath);
            }
            final String actual = c.mode().isSequential() ? path + String.format("%010d", parent.cversion) : path;
            if (nodes.containsKey(actual))
            {
                return new TreeReply.NodeExists(actual);
            }
            if (c.mode().isEphemeral() && c.sessionId() <= 0)
            {
                return new TreeReply.BadArguments("an ephemeral node needs a session, got session id " +
                    c.sessionId() + " for '" + path + "'");
            }
            if (c.mode().isEphemeral() && !sessions.contains(c.sessionId()))
            {
                return new TreeReply.SessionExpired(c.sessionId());
            }
            final Node n = new Node();
            n.data = c.data();
            n.czxid = index;
            n.mzxid = index;
            n.pzxid = index;
            n.owner = c.mode().isEphemeral() ? c.sessionId() : 0;
            nodes.put(actual, n);
            parent.children.add(TreePaths.name(actual));
            parent.cversion++;
            parent.pzxid = index;
            pending.add(new TreeWatchMessage.Event(TreeEventType.NODE_CREATED, actual, index));
            pending.add(new TreeWatchMessage.Event(TreeEventType.NODE_CHILDREN_CHANGED, parentPath, index));
            return new TreeReply.Created(actual, n.stat());
        }
        final boolean deletion = op instanceof TreeOp.Delete || op instanceof TreeOp.DeleteCreated;
        if (deletion && "/".equals(path))
        {
            return new TreeReply.BadArguments("the root cannot be deleted");
        }
        final Node n = nodes.get(path);
        if (null == n || op instanceof TreeOp.DeleteCreated g && g.czxid() != n.czxid)
        {
            return new TreeReply.NoNode(path);
        }
        if (op instanceof TreeOp.CheckChildren c)
        {
            return c.cversion() == n.cversion ? new TreeReply.Checked(path) :
                new TreeReply.BadVersion(path, c.cversion(), n.cversion);
        }
        final int expected = op instanceof TreeOp.Delete d ? d.version() :
            op instanceof TreeOp.DeleteCreated g ? g.version() :
            op instanceof TreeOp.SetData s ? s.version() : ((TreeOp.Check)op).version();
        if (expected != -1 && expected != n.version)
        {
            return new TreeReply.BadVersion(path, expected, n.version);
        }
        if (deletion)
        {
            if (!n.children.isEmpty())
            {
                return new TreeReply.NotEmpty(path);
            }
            delete(path, index);
            return new TreeReply.Deleted(path);
        }
        if (op instanceof TreeOp.SetData s)
        {
            n.data = s.data();
            n.version++;
            n.mzxid = index;
            pending.add(new TreeWatchMessage.Event(TreeEventType.NODE_DATA_CHANGED, path, index));
            return new TreeReply.DataSet(path, n.stat());
        }
        return new TreeReply.Checked(path);
    }

    private void delete(final String path, final long index)
    {
        nodes.remove(path);
        final String parentPath = TreePaths.parent(path);
        final Node parent = nodes.get(parentPath);
        parent.children.remove(TreePaths.name(path));
        parent.cversion++;
        parent.pzxid = index;
        pending.add(new TreeWatchMessage.Event(TreeEventType.NODE_DELETED, path, index));
        pending.add(new TreeWatchMessage.Event(TreeEventType.NODE_CHILDREN_CHANGED, parentPath, index));
    }

    private void commit(final long index)
    {
        if (pending.isEmpty())
        {
            return;
        }
        zxid = index;
        for (final TreeWatchMessage.Event event : pending)
        {
            history.add(event);
            final Set<ProcessRef> recipients = new LinkedHashSet<>();
            watches.removeIf(w ->
            {
                if (matches(w, event))
                {
                    recipients.add(w.watcher());
                    return w.mode().isOneShot();
                }
                return false;
            });
            recipients.forEach(r -> sent.add(new Effect.SendMsg(r, event)));
        }
        pending.clear();
    }

    /** The rules of ZooKeeper 3.6, written independently of {@link TreeWatches#fires}. */
    static boolean matches(final TreeWatch w, final TreeWatchMessage.Event e)
    {
        final boolean here = w.path().equals(e.path());
        switch (w.mode())
        {
            case DATA:
                return here && (e.type() == TreeEventType.NODE_DATA_CHANGED || e.type() == TreeEventType.NODE_DELETED);
            case EXIST:
                return here && e.type() != TreeEventType.NODE_CHILDREN_CHANGED;
            case CHILD:
                return here && (e.type() == TreeEventType.NODE_CHILDREN_CHANGED ||
                    e.type() == TreeEventType.NODE_DELETED);
            case PERSISTENT:
                return here;
            default:
                return e.type() != TreeEventType.NODE_CHILDREN_CHANGED && ("/".equals(w.path()) || here ||
                    e.path().startsWith(w.path() + "/"));
        }
    }

    private Map<String, Node> deepCopy()
    {
        final Map<String, Node> copy = new LinkedHashMap<>();
        nodes.forEach((p, n) -> copy.put(p, n.copy()));
        return copy;
    }
}
