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
import java.util.function.Consumer;

/**
 * The optional settings of a launched node's {@link RaSystem}, {@link FileStorage} and {@link NettyTransport}, by key
 * (see {@link NodeConfig}); a key not given keeps the builder's default. Values are checked when read, so a bad one
 * fails at start naming its key.
 */
final class NodeTuning
{
    /** RaSystemBuilder settings. */
    static final List<String> SYSTEM_KEYS = List.of("default.timeout.ms", "event.loops", "min.snapshot.interval",
        "commit.notice.delay.ms", "use.transport.threads", "max.uncommitted.bytes");
    /** FileStorage.Builder settings. */
    static final List<String> STORAGE_KEYS = List.of("wal.max.bytes", "segment.max.entries", "segment.max.bytes",
        "segment.spare.bytes", "max.batch.entries", "open.file.cache", "last.applied.flush.ms");
    /**
     * The names FileStorage.Builder gives its settings when it refuses one at build (it checks their ranges only
     * there, with the directory), by the key of each.
     */
    private static final Map<String, String> STORAGE_BUILDER_NAMES = Map.of("walMaxSizeBytes", "wal.max.bytes",
        "segmentMaxEntries", "segment.max.entries", "segmentMaxBytes", "segment.max.bytes", "segmentSpareBytes",
        "segment.spare.bytes", "maxBatchEntries", "max.batch.entries", "openFileCacheSize", "open.file.cache",
        "lastAppliedFlushInterval", "last.applied.flush.ms");
    /** NettyTransportConfig.Builder settings beyond the common ones. */
    static final List<String> TRANSPORT_KEYS = List.of("connect.timeout.ms", "io.threads", "max.frame.bytes",
        "max.queued.messages", "reconnect.backoff.ms", "caller.connections", "native.transport");

    /** The longest duration in milliseconds whose nanoseconds fit in a long. */
    private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;

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
        set(t, "default.timeout.ms", key -> b.defaultTimeout(millis(t, key)));
        set(t, "event.loops", key -> b.eventLoops(intNumber(t, key)));
        set(t, "min.snapshot.interval", key -> b.minSnapshotInterval(number(t, key)));
        set(t, "commit.notice.delay.ms", key -> b.commitNoticeDelay(millis(t, key)));
        set(t, "use.transport.threads", key -> b.useTransportThreads(bool(t, key)));
        set(t, "max.uncommitted.bytes", key -> b.maxUncommittedBytes(number(t, key)));
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
        set(t, "connect.timeout.ms", key -> b.connectTimeout(millis(t, key)));
        set(t, "io.threads", key -> b.ioThreads(intNumber(t, key)));
        set(t, "max.frame.bytes", key -> b.maxFrameBytes(intNumber(t, key)));
        set(t, "max.queued.messages", key -> b.maxQueuedMessagesPerPeer(intNumber(t, key)));
        set(t, "reconnect.backoff.ms", key ->
        {
            final String[] range = t.get(key).split("-");
            if (range.length != 2)
            {
                throw new IllegalArgumentException(key + ": expected min-max, got " + t.get(key));
            }
            final long min = countable(key, parse(key, range[0]), t.get(key)).toMillis();
            final long max = countable(key, parse(key, range[1]), t.get(key)).toMillis();
            if (max < min)
            {
                // Otherwise refused only when the transport's settings are built, without the key.
                throw new IllegalArgumentException(key + ": expected min-max with min <= max, got '" + t.get(key) +
                    "'");
            }
            b.reconnectBackoff(Duration.ofMillis(min), Duration.ofMillis(max));
        });
        set(t, "caller.connections", key -> b.callerConnections(bool(t, key)));
        set(t, "native.transport", key -> b.preferNativeTransport(bool(t, key)));
        return b;
    }

    /**
     * Apply a setting if it is given; the builder's refusal of its value (out of range, say) names the key, which the
     * builder's own message does not ("event loops must be positive").
     */
    private static void set(final Map<String, String> t, final String key, final Consumer<String> apply)
    {
        if (!t.containsKey(key))
        {
            return;
        }
        try
        {
            apply.accept(key);
        }
        catch (final IllegalArgumentException ex)
        {
            throw named(key, t.get(key), ex);
        }
    }

    /**
     * @param key   of a setting.
     * @param value as given.
     * @param ex    why the value was refused.
     * @return the refusal naming the key and the value, unless it already starts with the key.
     */
    static IllegalArgumentException named(final String key, final String value, final IllegalArgumentException ex)
    {
        if (null != ex.getMessage() && ex.getMessage().startsWith(key + ":"))
        {
            return ex;
        }
        return new IllegalArgumentException(key + ": " + ex.getMessage() + " (given '" + value + "')", ex);
    }

    /**
     * @param storageFailure what {@link FileStorage.Builder#build()} refused.
     * @param t              the tuning given.
     * @return the refusal naming the key of the setting it is about, when one was given.
     */
    static IllegalArgumentException namedStorageSetting(final IllegalArgumentException storageFailure,
        final Map<String, String> t)
    {
        final String message = String.valueOf(storageFailure.getMessage());
        for (final Map.Entry<String, String> setting : STORAGE_BUILDER_NAMES.entrySet())
        {
            if (message.startsWith(setting.getKey() + " ") && t.containsKey(setting.getValue()))
            {
                return named(setting.getValue(), t.get(setting.getValue()), storageFailure);
            }
        }
        return storageFailure;
    }

    private static Duration millis(final Map<String, String> t, final String key)
    {
        return countable(key, number(t, key), t.get(key));
    }

    /**
     * A duration the node can count in nanoseconds (as its timers do): a longer one (about 292 years) ended the start
     * with "long overflow", naming no setting.
     *
     * @param key     of the setting.
     * @param millis  the value.
     * @param setting as given, for the message.
     * @return the duration.
     */
    static Duration countable(final String key, final long millis, final String setting)
    {
        if (millis > MAX_MILLIS)
        {
            throw new IllegalArgumentException(key + ": expected at most " + MAX_MILLIS + " ms, got '" + setting +
                "'");
        }
        return Duration.ofMillis(millis);
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
