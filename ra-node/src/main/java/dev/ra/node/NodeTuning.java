package dev.ra.node;

import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.log.FileStorage;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The optional settings of a launched node's {@link RaSystem}, {@link FileStorage} and {@link NettyTransport}, by key
 * (see {@link NodeConfig}); a key not given keeps the builder's default. Values are checked when read, so a bad one
 * fails at start naming its key.
 */
final class NodeTuning
{
    /** RaSystemBuilder settings. */
    static final List<String> SYSTEM_KEYS = List.of("default.timeout.ms", "event.loops", "min.snapshot.interval",
        "commit.notice.delay.ms", "use.transport.threads");
    /** FileStorage.Builder settings. */
    static final List<String> STORAGE_KEYS = List.of("wal.max.bytes", "segment.max.entries", "segment.max.bytes",
        "segment.spare.bytes", "max.batch.entries", "open.file.cache", "last.applied.flush.ms");
    /** NettyTransportConfig.Builder settings beyond the common ones. */
    static final List<String> TRANSPORT_KEYS = List.of("connect.timeout.ms", "io.threads", "max.frame.bytes",
        "max.queued.messages", "reconnect.backoff.ms", "caller.connections", "native.transport");

    private NodeTuning()
    {
    }

    /**
     * @param p the settings.
     * @return the tuning keys present in them, validated.
     */
    static Map<String, String> read(final Properties p)
    {
        final Map<String, String> tuning = new LinkedHashMap<>();
        for (final List<String> keys : List.of(SYSTEM_KEYS, STORAGE_KEYS, TRANSPORT_KEYS))
        {
            for (final String key : keys)
            {
                final String value = p.getProperty(key);
                if (null != value && !value.isBlank())
                {
                    tuning.put(key, value.trim());
                }
            }
        }
        // Apply to throw-away builders now, so that a bad value fails while reading the settings.
        system(tuning, RaSystem.builder());
        transport(tuning, NettyTransportConfig.builder());
        storageValues(tuning);
        return tuning;
    }

    static RaSystemBuilder system(final Map<String, String> t, final RaSystemBuilder b)
    {
        if (t.containsKey("default.timeout.ms"))
        {
            b.defaultTimeout(millis(t, "default.timeout.ms"));
        }
        if (t.containsKey("event.loops"))
        {
            b.eventLoops(intNumber(t, "event.loops"));
        }
        if (t.containsKey("min.snapshot.interval"))
        {
            b.minSnapshotInterval(number(t, "min.snapshot.interval"));
        }
        if (t.containsKey("commit.notice.delay.ms"))
        {
            b.commitNoticeDelay(millis(t, "commit.notice.delay.ms"));
        }
        if (t.containsKey("use.transport.threads"))
        {
            b.useTransportThreads(bool(t, "use.transport.threads"));
        }
        return b;
    }

    static FileStorage.Builder storage(final Map<String, String> t, final FileStorage.Builder b)
    {
        if (t.containsKey("wal.max.bytes"))
        {
            b.walMaxSizeBytes(number(t, "wal.max.bytes"));
        }
        if (t.containsKey("segment.max.entries"))
        {
            b.segmentMaxEntries(intNumber(t, "segment.max.entries"));
        }
        if (t.containsKey("segment.max.bytes"))
        {
            b.segmentMaxBytes(number(t, "segment.max.bytes"));
        }
        if (t.containsKey("segment.spare.bytes"))
        {
            b.segmentSpareBytes(number(t, "segment.spare.bytes"));
        }
        if (t.containsKey("max.batch.entries"))
        {
            b.maxBatchEntries(intNumber(t, "max.batch.entries"));
        }
        if (t.containsKey("open.file.cache"))
        {
            b.openFileCacheSize(intNumber(t, "open.file.cache"));
        }
        if (t.containsKey("last.applied.flush.ms"))
        {
            b.lastAppliedFlushInterval(millis(t, "last.applied.flush.ms"));
        }
        return b;
    }

    private static void storageValues(final Map<String, String> t)
    {
        for (final String key : STORAGE_KEYS)
        {
            if (t.containsKey(key))
            {
                number(t, key);
            }
        }
    }

    static NettyTransportConfig.Builder transport(final Map<String, String> t, final NettyTransportConfig.Builder b)
    {
        if (t.containsKey("connect.timeout.ms"))
        {
            b.connectTimeout(millis(t, "connect.timeout.ms"));
        }
        if (t.containsKey("io.threads"))
        {
            b.ioThreads(intNumber(t, "io.threads"));
        }
        if (t.containsKey("max.frame.bytes"))
        {
            b.maxFrameBytes(intNumber(t, "max.frame.bytes"));
        }
        if (t.containsKey("max.queued.messages"))
        {
            b.maxQueuedMessagesPerPeer(intNumber(t, "max.queued.messages"));
        }
        if (t.containsKey("reconnect.backoff.ms"))
        {
            final String[] range = t.get("reconnect.backoff.ms").split("-");
            if (range.length != 2)
            {
                throw new IllegalArgumentException("reconnect.backoff.ms: expected min-max, got " +
                    t.get("reconnect.backoff.ms"));
            }
            b.reconnectBackoff(Duration.ofMillis(parse("reconnect.backoff.ms", range[0])),
                Duration.ofMillis(parse("reconnect.backoff.ms", range[1])));
        }
        if (t.containsKey("caller.connections"))
        {
            b.callerConnections(bool(t, "caller.connections"));
        }
        if (t.containsKey("native.transport"))
        {
            b.preferNativeTransport(bool(t, "native.transport"));
        }
        return b;
    }

    private static Duration millis(final Map<String, String> t, final String key)
    {
        return Duration.ofMillis(number(t, key));
    }

    private static long number(final Map<String, String> t, final String key)
    {
        return parse(key, t.get(key));
    }

    /**
     * A value beyond an int would otherwise be cut to its low 32 bits: 4294967297 event loops would be one.
     */
    private static int intNumber(final Map<String, String> t, final String key)
    {
        final long value = number(t, key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(key + ": expected at most " + Integer.MAX_VALUE + ", got '" +
                t.get(key) + "'");
        }
        return (int)value;
    }

    private static long parse(final String key, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + ": expected a whole number, got '" + value + "'", ex);
        }
    }

    private static boolean bool(final Map<String, String> t, final String key)
    {
        return switchValue(key, t.get(key));
    }

    /**
     * A switch's value: {@code true} or {@code false} in any case, anything else refused naming its key (a
     * {@code yes} read as false would turn the switch off unnoticed).
     *
     * @param key   of the setting.
     * @param value as given, trimmed.
     * @return the switch.
     */
    static boolean switchValue(final String key, final String value)
    {
        if (!"true".equalsIgnoreCase(value) && !"false".equalsIgnoreCase(value))
        {
            throw new IllegalArgumentException(key + ": expected true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }
}
