package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The servers running on this node, by id. Owned by the {@link ServerRegistry} (which adds and removes them) and read
 * by the {@link MessageRouter} (which delivers to their mailboxes): one table, so the router never asks the registry.
 * Thread-safe.
 *
 * @param <S> what the owner keeps (a {@link ServerMailbox} at least).
 */
final class LocalServers<S extends ServerMailbox>
{
    private final Map<ServerId, S> servers = new ConcurrentHashMap<>();

    /**
     * @return the server, or null if none by that id runs here.
     */
    S get(final ServerId id)
    {
        return servers.get(id);
    }

    boolean contains(final ServerId id)
    {
        return servers.containsKey(id);
    }

    /**
     * @return true if added, false if one by that id runs already.
     */
    boolean add(final S server)
    {
        return null == servers.putIfAbsent(server.serverId(), server);
    }

    void remove(final S server)
    {
        servers.remove(server.serverId(), server);
    }

    Collection<S> all()
    {
        return servers.values();
    }

    List<ServerId> ids()
    {
        return new ArrayList<>(servers.keySet());
    }
}
