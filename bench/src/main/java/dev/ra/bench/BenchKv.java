package dev.ra.bench;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The benchmark's key-value machine: a command is a put of a {@link Workload#KEY_BYTES}-byte key and a
 * {@link Workload#VALUE_BYTES}-byte value, carried as one raw byte array (encoded as a length-prefixed byte string,
 * nothing else). The state keeps the latest value per key and the number of puts applied; the reply is that number.
 * With {@code releaseEvery > 0} it emits a {@link Effect.ReleaseCursor} (with a copy of the state, since the snapshot
 * is encoded in the background) every that many entries.
 *
 * <p>Not thread safe; confined to its server's event loop, like every machine.
 *
 * <p>Not ra-examples' {@code KvMachine}: raw byte commands and a state mutated in place keep the figures about Ra, not
 * about the codec of string records or copy-on-write maps.
 */
public final class BenchKv implements StateMachine<byte[], BenchKv.State>
{
    /** Registered name of the machine without snapshots. */
    public static final String NAME = "bench-kv";

    /** Registered name of the machine that snapshots every {@link #SNAPSHOT_EVERY} entries. */
    public static final String NAME_WITH_SNAPSHOTS = "bench-kv-snap";

    /** Name of the query answering the number of puts applied. */
    public static final String PUTS_QUERY = "puts";

    /** Snapshot interval of {@link #NAME_WITH_SNAPSHOTS}. */
    public static final long SNAPSHOT_EVERY = 100_000;

    /**
     * Told of every role a member of this JVM enters (the client failover figure times elections by it), or null.
     */
    static volatile Consumer<RaftRole> roleWatcher;

    /**
     * The machine's state: latest value per key (mutated in place by {@code apply}) and the count of puts.
     */
    public static final class State
    {
        final Map<ByteBuffer, byte[]> values;
        long puts;

        State(final Map<ByteBuffer, byte[]> values, final long puts)
        {
            this.values = values;
            this.puts = puts;
        }

        /**
         * @return the number of puts applied.
         */
        public long puts()
        {
            return puts;
        }

        /**
         * @return the number of distinct keys.
         */
        public int size()
        {
            return values.size();
        }
    }

    private static final Codec<byte[]> COMMAND_CODEC = new Codec<>()
    {
        @Override
        public void encode(final byte[] value, final BufferWriter out)
        {
            out.writeByteArray(value);
        }

        @Override
        public byte[] decode(final BufferReader in)
        {
            return in.readByteArray();
        }
    };

    private static final Codec<State> STATE_CODEC = new Codec<>()
    {
        @Override
        public void encode(final State value, final BufferWriter out)
        {
            out.writeLong(value.puts);
            out.writeInt(value.values.size());
            for (final byte[] command : value.values.values())
            {
                out.writeByteArray(command);
            }
        }

        @Override
        public State decode(final BufferReader in)
        {
            final long puts = in.readLong();
            final int n = in.readInt();
            final Map<ByteBuffer, byte[]> values = new HashMap<>(Math.max(16, n * 2));
            for (int i = 0; i < n; i++)
            {
                final byte[] command = in.readByteArray();
                values.put(ByteBuffer.wrap(command, 0, Workload.KEY_BYTES), command);
            }
            return new State(values, puts);
        }
    };

    private final long releaseEvery;

    /**
     * A machine that never snapshots.
     */
    public BenchKv()
    {
        this(0);
    }

    /**
     * @param releaseEvery emit a release cursor every this many entries; 0 for never.
     */
    public BenchKv(final long releaseEvery)
    {
        this.releaseEvery = releaseEvery;
    }

    @Override
    public State init(final InitArgs args)
    {
        return new State(new HashMap<>(), 0);
    }

    @Override
    public ApplyResult<State> apply(final CommandMeta meta, final byte[] command, final State state)
    {
        // The command array is this entry's own decoded copy, so the map may keep it: the key is a 16-byte view of
        // it and the value is the array itself (value bytes from offset 16). A key already held has its value bytes
        // overwritten in place instead: storing the new array would give a long-lived map node a reference to a
        // young object on every put, which G1 tracks card by card (with 1,000 active clusters, 3,000 maps of 512
        // keys, that refinement took an eighth of the processors; docs/benchmarks.md, "Many clusters").
        final ByteBuffer key = ByteBuffer.wrap(command, 0, Workload.KEY_BYTES);
        final byte[] held = state.values.get(key);
        if (null != held && held.length == command.length)
        {
            final int from = Workload.KEY_BYTES;
            System.arraycopy(command, from, held, from, command.length - from);
        }
        else
        {
            state.values.put(key, command);
        }
        state.puts++;
        final Long reply = state.puts;
        if (releaseEvery > 0 && meta.index() % releaseEvery == 0)
        {
            // A deep copy: the snapshot is encoded in the background while later puts overwrite values in place.
            final Map<ByteBuffer, byte[]> values = new HashMap<>(Math.max(16, state.values.size() * 2));
            for (final byte[] value : state.values.values())
            {
                final byte[] copied = value.clone();
                values.put(ByteBuffer.wrap(copied, 0, Workload.KEY_BYTES), copied);
            }
            final State copy = new State(values, state.puts);
            return ApplyResult.of(state, reply, List.of(new Effect.ReleaseCursor(meta.index(), copy)));
        }
        return ApplyResult.of(state, reply);
    }

    /**
     * The one named query, {@value #PUTS_QUERY}: the number of puts applied (a read that costs nothing, so that a
     * figure of reads measures the read protocol).
     */
    @Override
    public Object query(final String name, final Object argument, final State state)
    {
        if (!PUTS_QUERY.equals(name))
        {
            return StateMachine.super.query(name, argument, state);
        }
        return state.puts;
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final State state)
    {
        final Consumer<RaftRole> watcher = roleWatcher;
        if (null != watcher)
        {
            watcher.accept(role);
        }
        return List.of();
    }

    @Override
    public Codec<byte[]> commandCodec()
    {
        return COMMAND_CODEC;
    }

    @Override
    public Codec<State> stateCodec()
    {
        return STATE_CODEC;
    }
}
