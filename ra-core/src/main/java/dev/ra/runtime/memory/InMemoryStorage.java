package dev.ra.runtime.memory;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link Storage} that keeps everything in memory, for tests, simulations, benchmarks and demos.
 *
 * <p>Durability is simulated: with a zero sync delay an appended entry is reported durable before {@code append}
 * returns; with a positive delay a background "sync" thread reports it after the delay, and entries not yet reported
 * are lost when the server's storage is closed, as in a crash. A server's data survives closing and reopening within
 * the same instance, so restart tests work, and so does the record of deletions ({@link #rememberDeletion}); it is
 * gone when the JVM exits. Thread-safe.
 */
public final class InMemoryStorage implements Storage
{
    private final Map<ServerId, ServerData> data = new ConcurrentHashMap<>();
    private final Map<ServerId, InMemoryServerStorage> open = new ConcurrentHashMap<>();
    /** Guarded by itself; insertion order is the order of the records, oldest first. */
    private final Map<ServerId, Long> deletions = new LinkedHashMap<>();
    /** Guarded by {@link #deletions}: the data each recorded server held when recorded (its incarnation), if any. */
    private final Map<ServerId, ServerData> deletedData = new LinkedHashMap<>();
    private final long syncDelayNanos;
    private volatile ScheduledExecutorService syncer;

    /**
     * Storage whose appends are durable at once.
     */
    public InMemoryStorage()
    {
        this(Duration.ZERO);
    }

    /**
     * @param syncDelay how long after an append its durability is reported; zero reports it before append returns.
     */
    public InMemoryStorage(final Duration syncDelay)
    {
        Objects.requireNonNull(syncDelay, "syncDelay");
        if (syncDelay.isNegative())
        {
            throw new IllegalArgumentException("sync delay must not be negative, got " + syncDelay);
        }
        this.syncDelayNanos = syncDelay.toNanos();
    }

    @Override
    public ServerStorage open(final ServerId id, final LogListener listener)
    {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(listener, "listener");
        final ServerData serverData = data.computeIfAbsent(id, k -> new ServerData());
        final InMemoryServerStorage storage = new InMemoryServerStorage(this, id, serverData, listener);
        if (null != open.putIfAbsent(id, storage))
        {
            throw new IllegalStateException("storage of " + id + " is already open");
        }
        return storage;
    }

    @Override
    public boolean exists(final ServerId id)
    {
        return data.containsKey(id);
    }

    @Override
    public List<ServerId> servers()
    {
        return new ArrayList<>(data.keySet());
    }

    @Override
    public void delete(final ServerId id)
    {
        if (open.containsKey(id))
        {
            throw new IllegalStateException("storage of " + id + " is open; close it before deleting");
        }
        synchronized (deletions)
        {
            // Deleted, the data is never stored again (a server created again gets its own): a record naming it
            // could never match it, and would only hold the whole log in memory.
            final ServerData removed = data.remove(id);
            if (null != removed)
            {
                deletedData.remove(id, removed);
            }
        }
    }

    @Override
    public Map<ServerId, Long> rememberedDeletions()
    {
        synchronized (deletions)
        {
            return new LinkedHashMap<>(deletions);
        }
    }

    @Override
    public void rememberDeletion(final ServerId server, final long term)
    {
        Objects.requireNonNull(server, "server");
        synchronized (deletions)
        {
            deletions.remove(server);
            deletions.put(server, term);
            final ServerData stored = data.get(server);
            if (null == stored)
            {
                deletedData.remove(server);
            }
            else
            {
                deletedData.put(server, stored);
            }
            final var oldest = deletions.keySet().iterator();
            while (deletions.size() > REMEMBERED_DELETIONS)
            {
                deletedData.remove(oldest.next());
                oldest.remove();
            }
        }
    }

    @Override
    public Set<ServerId> unfinishedDeletions()
    {
        final Set<ServerId> unfinished = new HashSet<>();
        synchronized (deletions)
        {
            // The same data (ServerData compares by identity): a server created again under the id holds its own.
            deletedData.forEach((server, recorded) ->
            {
                if (data.get(server) == recorded)
                {
                    unfinished.add(server);
                }
            });
        }
        return unfinished;
    }

    @Override
    public void close()
    {
        for (final InMemoryServerStorage storage : new ArrayList<>(open.values()))
        {
            storage.close();
        }
        final ScheduledExecutorService s;
        synchronized (this)
        {
            s = syncer;
            // Data survives closing: a later open (a node restart in tests) starts a new sync thread.
            syncer = null;
        }
        if (null != s)
        {
            s.shutdownNow();
        }
    }

    /**
     * @return how many records name data still held for them (tests: data deleted is never held by its record).
     */
    int deletedDataHeld()
    {
        synchronized (deletions)
        {
            return deletedData.size();
        }
    }

    long syncDelayNanos()
    {
        return syncDelayNanos;
    }

    ScheduledExecutorService syncer()
    {
        ScheduledExecutorService s = syncer;
        if (null == s)
        {
            synchronized (this)
            {
                s = syncer;
                if (null == s)
                {
                    s = Executors.newSingleThreadScheduledExecutor(r ->
                    {
                        final Thread t = new Thread(r, "ra-memory-sync");
                        t.setDaemon(true);
                        return t;
                    });
                    syncer = s;
                }
            }
        }
        return s;
    }

    void closed(final ServerId id, final InMemoryServerStorage storage)
    {
        open.remove(id, storage);
    }
}
