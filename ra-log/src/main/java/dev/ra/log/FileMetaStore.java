package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import dev.ra.spi.MetaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's term, vote and last applied index, kept in two files ({@code meta} and {@code meta.copy}), each with two
 * checksummed slots written in turn: an update overwrites the older slot of the first file and syncs, then does the
 * same in the copy, so a crash mid-write leaves the other slot, the previous state, intact, and a file that is deleted,
 * truncated or zero-filled later is restored from the other one (with an error in the log): term and vote are never
 * forgotten unless both files are lost. No rename, hence one {@code fdatasync} per file and update. The configuration
 * blob lives in its own file, written once.
 *
 * <p>It also keeps the storage damage found for this server (see {@link FileStorage}) until the server says it has
 * recovered: the index and term of the last entry its log had made durable when the WAL lost it, and whether term
 * and vote were lost.
 *
 * <p>Thread-safe: the owning server stores term and vote, the storage's background thread flushes last applied.
 */
final class FileMetaStore implements MetaStore, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(FileMetaStore.class);

    static final int SLOT_SIZE = 4096;
    static final int HEADER = 16;
    private static final int SLOT_HEADER = 8;
    private static final int CONFIG_HEADER = 16;
    private static final long MAX_CONFIG = 64L << 20;
    private static final byte FLAG_TERM_AND_VOTE_LOST = 1;
    /** What a write of the files stores, as the refusals after a failed one name it. */
    private static final String TERM_AND_VOTE = "term and vote";
    private static final String LAST_APPLIED = "last applied index";
    private static final String DAMAGE_RECORD = "record of damage";
    private static final String STATE_RESTORED = "state restored from the other file";

    private final FileLayer files;
    private final MetaFile primary;
    private final MetaFile copy;
    private final Path configPath;
    /**
     * The incarnation id (uid) of the server, as in its identity file, written in every slot (0: unknown). A store
     * opened on a directory whose identity is unreadable takes it from the slot it loads, and keeps it.
     */
    private long uid;
    private final BufferWriter body = new BufferWriter(256);
    /** What a write puts in a slot: grown to the largest written so far (a slot's content is far below its size). */
    private ByteBuffer slot = ByteBuffer.allocate(128);

    private long sequence;
    private long currentTerm;
    private ServerId votedFor;
    private long lastApplied;
    private boolean lastAppliedDirty;
    /** Told each time last applied moves, so that the storage writes it (see {@link LastAppliedWrites}). */
    private Runnable lastAppliedMoved = () -> { };
    private long damagedIndex;
    private long damagedTerm;
    private boolean termAndVoteLost;
    private byte[] config;
    /** Whether a state was found in either file (false: a new server, or one whose state is lost). */
    private boolean found;
    /** Whether either file was there but unreadable: the state was written once, so it is lost if not found. */
    private boolean damagedFile;
    /** Whether both files hold the state in memory, synced: false from the start of a write until it succeeded. */
    private boolean stateDurable;
    /**
     * Set by {@link #close}: the server storage was closed, and a store opened again since may be writing the same
     * files. A write through this one would put its stale state in a slot with its own sequence number, possibly the
     * number the other just wrote, and take the term back on disk.
     */
    private boolean closed;
    /**
     * The failure of a write, once one failed: its term and vote were taken into memory first, and the failed sync
     * may have dropped pages of either file, so nothing the store holds can be vouched for (Raft must never act in a
     * term that is not durable). It then refuses every read of term and vote and every write, as the WAL refuses
     * everything after a failed sync; opening the storage again reads what the files hold.
     */
    private RuntimeException failedWrite;
    /** What the failed write was to store, for the refusals: {@link #TERM_AND_VOTE}, {@link #LAST_APPLIED}, ... */
    private String failedWriteOf;

    /**
     * One of the two files; its handle is open only while it is read or written: a node hosting thousands of servers
     * would otherwise hold two descriptors per server, and run out of them.
     */
    private static final class MetaFile
    {
        final Path path;
        LogFile file;

        MetaFile(final Path path)
        {
            this.path = path;
        }
    }

    /** What a file holds. */
    private record Loaded(Slot best, String problem)
    {
    }

    private FileMetaStore(final FileLayer files, final ServerDirectory dir)
    {
        this.files = files;
        this.primary = new MetaFile(dir.metaFile());
        this.copy = new MetaFile(dir.metaCopyFile());
        this.configPath = dir.configFile();
        this.uid = dir.uid();
    }

    /**
     * Open or create the meta store of a server.
     *
     * @param files the file layer.
     * @param dir   of the server.
     * @return the store.
     * @throws IOException on failure.
     */
    static FileMetaStore open(final FileLayer files, final ServerDirectory dir) throws IOException
    {
        final FileMetaStore store = new FileMetaStore(files, dir);
        try
        {
            store.load();
            store.loadConfig();
        }
        catch (final IOException | RuntimeException ex)
        {
            store.closeFiles();
            throw ex;
        }
        return store;
    }

    private void load() throws IOException
    {
        final Loaded first = load(primary);
        final Loaded second = load(copy);
        Slot best = first.best;
        if (null == best || (null != second.best && second.best.sequence > best.sequence))
        {
            best = second.best;
        }
        damagedFile = null != first.problem && !first.problem.isEmpty() ||
            null != second.problem && !second.problem.isEmpty();
        if (null == best)
        {
            return;
        }
        found = true;
        sequence = best.sequence;
        currentTerm = best.term;
        lastApplied = best.lastApplied;
        votedFor = best.votedFor;
        damagedIndex = best.damagedIndex;
        damagedTerm = best.damagedTerm;
        termAndVoteLost = best.termAndVoteLost;
        if (0 == uid)
        {
            uid = best.uid;
        }
        final boolean primaryBehind = null == first.best || first.best.sequence != best.sequence;
        final boolean copyBehind = null == second.best || second.best.sequence != best.sequence;
        if (primaryBehind && null != first.problem)
        {
            // A missing primary with a readable copy is not a crash: a crash leaves both files or neither.
            LOG.error("meta store damage: {} is {}; term {} and vote {} restored from {}", primary.path,
                first.problem.isEmpty() ? "missing" : first.problem, currentTerm, votedFor, copy.path);
        }
        else if (copyBehind && null != second.problem && !second.problem.isEmpty())
        {
            LOG.error("meta store damage: {} is {}; rewritten from {}", copy.path, second.problem, primary.path);
        }
        if (primaryBehind || copyBehind)
        {
            // Both copies again (also when the copy did not exist yet: a store written by an older version).
            writeSlot(STATE_RESTORED);
        }
        stateDurable = true;
    }

    /**
     * @return the newest valid slot of the file or null; the problem: null if none, "" if the file is missing,
     *     otherwise what is wrong with it.
     */
    private Loaded load(final MetaFile meta) throws IOException
    {
        try
        {
            return read(meta);
        }
        finally
        {
            close(meta);
        }
    }

    private Loaded read(final MetaFile meta) throws IOException
    {
        if (!files.exists(meta.path))
        {
            return new Loaded(null, "");
        }
        meta.file = files.open(meta.path, false);
        final long size = meta.file.size();
        if (size < HEADER)
        {
            return new Loaded(null, "truncated to " + size + " bytes");
        }
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        meta.file.read(header, 0);
        header.flip();
        if (header.getInt(0) != Formats.META_MAGIC)
        {
            return new Loaded(null, "not a meta file (magic " + Formats.magicText(header.getInt(0)) + ")");
        }
        if (Formats.NO_VERSION == header.getInt(4))
        {
            // No checksum covers the header, but version 0 is no release's: damage, as an emptied file would be.
            return new Loaded(null, Formats.TORN_AFTER_MAGIC);
        }
        Formats.checkVersion(meta.path, header.getInt(4), Formats.VERSION, Formats.VERSION);
        Slot best = null;
        int invalid = 0;
        for (int i = 0; i < 2; i++)
        {
            final long offset = slotOffset(i);
            final ByteBuffer buffer = ByteBuffer.allocate(SLOT_SIZE);
            meta.file.read(buffer, offset);
            final byte[] data = buffer.array();
            if (allZero(data, buffer.position()))
            {
                continue;
            }
            final Slot parsed = parse(data, buffer.position());
            if (null == parsed)
            {
                invalid++;
                LOG.warn("{}: slot {} at offset {} is torn or corrupt; using the other slot", meta.path, i, offset);
            }
            else if (null == best || parsed.sequence > best.sequence)
            {
                best = parsed;
            }
        }
        if (null == best)
        {
            // Every file is created holding a slot, synced before the server's identity: one that holds none (cut
            // back to its header, its slots zero-filled or corrupt) lost its state, and is damage, not a new server.
            return new Loaded(null, invalid > 1 ? "damaged (both slots corrupt)" : invalid == 1 ?
                "damaged (its only slot is corrupt)" : "holding no slot (" + size + " bytes)");
        }
        return new Loaded(best, null);
    }

    private static long slotOffset(final int slot)
    {
        return (long)SLOT_SIZE * (slot + 1);
    }

    private static boolean allZero(final byte[] data, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (data[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** One slot's content (also read by {@link DataDirectoryReader}). */
    record Slot(long sequence, long term, long lastApplied, ServerId votedFor, long damagedIndex,
        long damagedTerm, boolean termAndVoteLost, long uid)
    {
    }

    /**
     * @param data   a slot's bytes.
     * @param length how many of them.
     * @return what the slot holds, or null if it is torn or damaged.
     */
    static Slot parse(final byte[] data, final int length)
    {
        if (length < SLOT_HEADER)
        {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        final int storedCrc = buffer.getInt();
        final int bodyLength = buffer.getInt();
        if (bodyLength < 25 || bodyLength > length - SLOT_HEADER ||
            storedCrc != Formats.crc(data, 4, 4 + bodyLength))
        {
            return null;
        }
        final long seq = buffer.getLong();
        final long term = buffer.getLong();
        final long applied = buffer.getLong();
        final boolean hasVote = buffer.get() != 0;
        ServerId vote = null;
        int at = SLOT_HEADER + 25;
        if (hasVote)
        {
            try
            {
                final BufferReader in = new BufferReader(data, at, bodyLength - 25);
                vote = EntryCodec.readServerId(in);
                at = in.position();
            }
            catch (final CodecException ex)
            {
                return null;
            }
        }
        // Damage record, then the uid: absent in slots written before they existed (a release that knows neither
        // reads the fields it knows and ignores the rest).
        final ByteBuffer rest = ByteBuffer.wrap(data, 0, SLOT_HEADER + bodyLength).position(at);
        if (rest.remaining() >= 17)
        {
            final long index = rest.getLong();
            final long indexTerm = rest.getLong();
            final boolean lost = (rest.get() & FLAG_TERM_AND_VOTE_LOST) != 0;
            final long uid = rest.remaining() >= 8 ? rest.getLong() : 0;
            return new Slot(seq, term, applied, vote, index, indexTerm, lost, uid);
        }
        return new Slot(seq, term, applied, vote, 0, 0, false, 0);
    }

    private void loadConfig() throws IOException
    {
        config = readConfig(files, configPath);
    }

    /**
     * Read and check a server's configuration file.
     *
     * @param files      the file layer.
     * @param configPath of the file.
     * @return the configuration blob, or null if there is no file.
     * @throws IOException if it cannot be read.
     * @throws IllegalStateException naming the file and offset if it is damaged.
     */
    static byte[] readConfig(final FileLayer files, final Path configPath) throws IOException
    {
        if (!files.exists(configPath))
        {
            return null;
        }
        final byte[] data = AtomicFiles.readAll(files, configPath, MAX_CONFIG);
        if (data.length < CONFIG_HEADER)
        {
            throw Formats.corrupt(configPath, 0, "too short (" + data.length + " bytes)");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        Formats.checkHeader(configPath, Formats.CONFIG_MAGIC, buffer.getInt(), buffer.getInt());
        final int length = buffer.getInt();
        final int storedCrc = buffer.getInt();
        if (length != data.length - CONFIG_HEADER || storedCrc != Formats.crc(data, CONFIG_HEADER, length))
        {
            throw Formats.corrupt(configPath, CONFIG_HEADER, "configuration length or checksum mismatch");
        }
        return Arrays.copyOfRange(data, CONFIG_HEADER, data.length);
    }

    @Override
    public synchronized long currentTerm()
    {
        checkNotFailed();
        return currentTerm;
    }

    @Override
    public synchronized ServerId votedFor()
    {
        checkNotFailed();
        return votedFor;
    }

    @Override
    public synchronized long lastApplied()
    {
        return lastApplied;
    }

    @Override
    public synchronized void storeTermAndVote(final long term, final ServerId vote)
    {
        checkOpen();
        if (stateDurable && term == currentTerm && Objects.equals(vote, votedFor))
        {
            // Already durable in both files: a new server's term 0 and no vote, stored when its files were created.
            return;
        }
        currentTerm = term;
        votedFor = vote;
        writeSlot(TERM_AND_VOTE);
    }

    @Override
    public synchronized void storeLastApplied(final long index)
    {
        // Written lazily, and never after close (see flushLastApplied): a closed store has nothing to record.
        if (!closed && index != lastApplied)
        {
            lastApplied = index;
            lastAppliedDirty = true;
            lastAppliedMoved.run();
        }
    }

    /**
     * @param listener to run, under this store's lock, each time last applied moves.
     */
    synchronized void onLastAppliedMoved(final Runnable listener)
    {
        lastAppliedMoved = listener;
    }

    /**
     * Persist last applied if it changed since the last write; called periodically and on close.
     */
    synchronized void flushLastApplied()
    {
        if (lastAppliedDirty && !closed && null == failedWrite)
        {
            writeSlot(LAST_APPLIED);
        }
    }

    /**
     * Write the current state to both files.
     *
     * @param what the write stores (one of the constants above), named by the refusals if it fails.
     */
    private void writeSlot(final String what)
    {
        stateDurable = false;
        sequence++;
        encodeSlot();
        try
        {
            // One file after the other: a crash can tear only one of them, and that one only in the slot being
            // written.
            write(primary);
            slot.rewind();
            write(copy);
        }
        catch (final RuntimeException ex)
        {
            failedWrite = ex;
            failedWriteOf = what;
            throw ex;
        }
        lastAppliedDirty = false;
        stateDurable = true;
    }

    /**
     * The current state into {@link #slot}, ready to be written.
     */
    private void encodeSlot()
    {
        body.reset();
        body.writeLong(sequence).writeLong(currentTerm).writeLong(lastApplied).writeBoolean(null != votedFor);
        if (null != votedFor)
        {
            EntryCodec.writeServerId(votedFor, body);
        }
        body.writeLong(damagedIndex).writeLong(damagedTerm).writeByte(termAndVoteLost ? FLAG_TERM_AND_VOTE_LOST : 0);
        if (0 != uid)
        {
            body.writeLong(uid);
        }
        if (slot.capacity() < SLOT_HEADER + body.position())
        {
            // Never beyond a slot: a body that does not fit overflows, as it always did.
            slot = ByteBuffer.allocate(Math.min(SLOT_SIZE, SLOT_HEADER + body.position()));
        }
        slot.clear();
        slot.putInt(0).putInt(body.position()).put(body.array(), 0, body.position());
        slot.putInt(0, Formats.crc(slot.array(), 4, 4 + body.position()));
        slot.flip();
    }

    /**
     * Create the meta files of a brand-new server, each holding the state of a new server (term 0, no vote) in its
     * first slot and synced, in one write each; their directory is NOT synced: the caller creates the server's other
     * files and syncs the directory once for all of them. The first {@link #storeTermAndVote} of term 0 and no vote
     * then writes nothing.
     *
     * @param files the file layer.
     * @param dir   of the new server, holding no meta file yet.
     * @throws IOException on failure.
     */
    static void createForNewServer(final FileLayer files, final ServerDirectory dir) throws IOException
    {
        final FileMetaStore store = new FileMetaStore(files, dir);
        store.sequence = 1;
        store.encodeSlot();
        store.createWithSlot(store.primary);
        store.slot.rewind();
        store.createWithSlot(store.copy);
    }

    private void createWithSlot(final MetaFile meta) throws IOException
    {
        meta.file = files.open(meta.path, true);
        try
        {
            writeHeader(meta.file);
            meta.file.write(slot, slotOffset((int)(sequence & 1)));
            meta.file.force();
        }
        finally
        {
            close(meta);
        }
    }

    /**
     * Whether the meta files in a directory hold no vote, no term above 0 and no record of damage (or are absent or
     * unreadable): what a server's creation left if it was interrupted, before anything was stored.
     *
     * @param files the file layer.
     * @param dir   to look in.
     * @return false if either file holds a term, a vote or a damage record (a lost log or term and vote).
     * @throws IOException if a file cannot be read.
     */
    static boolean holdsNothing(final FileLayer files, final ServerDirectory dir) throws IOException
    {
        final FileMetaStore store = new FileMetaStore(files, dir);
        for (final MetaFile meta : new MetaFile[] {store.primary, store.copy})
        {
            final Slot best = store.load(meta).best;
            if (null != best && (best.term() != 0 || null != best.votedFor() || best.damagedIndex() != 0 ||
                best.termAndVoteLost()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The incarnation id a server's meta files record: what tells, when its identity file is unreadable, whether WAL
     * records naming its directory are its own or an earlier incarnation's (the meta files are written and synced
     * before the identity file when a server is created).
     *
     * @param files the file layer.
     * @param dir   to look in.
     * @return the uid in the newest readable slot of either file, or 0 if there is none (no readable slot, or slots
     *     written by a release that did not record it).
     * @throws IOException if a file cannot be read.
     */
    static long recordedUid(final FileLayer files, final ServerDirectory dir) throws IOException
    {
        final FileMetaStore store = new FileMetaStore(files, dir);
        Slot best = null;
        for (final MetaFile meta : new MetaFile[] {store.primary, store.copy})
        {
            final Slot slot = store.load(meta).best;
            if (null != slot && (null == best || slot.sequence() > best.sequence()))
            {
                best = slot;
            }
        }
        return null == best ? 0 : best.uid();
    }

    private void write(final MetaFile meta)
    {
        try
        {
            if (files.exists(meta.path))
            {
                meta.file = files.open(meta.path, false);
            }
            if (null == meta.file || meta.file.size() < HEADER || !validHeader(meta))
            {
                createFile(meta);
            }
            meta.file.write(slot, slotOffset((int)(sequence & 1)));
            meta.file.force();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write meta store " + meta.path, ex);
        }
        finally
        {
            close(meta);
        }
    }

    /**
     * @return whether the file's header is whole: its magic and this code's version. A header torn after its magic
     *     (version 0, which the load took for damage) must be written anew, or the file stays ignored at every start
     *     and term and vote rest on the other file alone. A newer version never gets here: the load refused it.
     */
    private static boolean validHeader(final MetaFile meta) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        meta.file.read(header, 0);
        return header.getInt(0) == Formats.META_MAGIC && header.getInt(4) == Formats.VERSION;
    }

    private void createFile(final MetaFile meta) throws IOException
    {
        if (null != meta.file)
        {
            meta.file.close();
        }
        meta.file = files.open(meta.path, true);
        writeHeader(meta.file);
        meta.file.force();
        files.syncDirectory(meta.path.getParent());
    }

    /** Empty the file and write the meta store's header at its start (not synced). */
    private static void writeHeader(final LogFile file) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.putInt(Formats.META_MAGIC).putInt(Formats.VERSION).putLong(0).flip();
        file.truncate(0);
        file.write(header, 0);
    }

    /**
     * @return whether term and vote were found (false for a new server, and for one whose meta files are lost).
     */
    synchronized boolean foundState()
    {
        return found;
    }

    /**
     * @return whether a meta file was there but unreadable.
     */
    synchronized boolean damagedFile()
    {
        return damagedFile;
    }

    /**
     * Record, durably, that this server's log lost entries up to the given one (the last it had made durable).
     *
     * @param index of that entry.
     * @param term  of that entry.
     */
    synchronized void recordLogDamage(final long index, final long term)
    {
        if (index > damagedIndex || !found)
        {
            damagedIndex = Math.max(damagedIndex, index);
            damagedTerm = index >= damagedIndex ? term : damagedTerm;
            // A server with entries in the WAL has stored a term: none found means it is lost too.
            termAndVoteLost |= !found;
            found = true;
            writeSlot(DAMAGE_RECORD);
        }
    }

    /**
     * Record, durably, exactly this entry as the last one the log had made durable before it lost entries, replacing
     * the record (unlike {@link #recordLogDamage}, which only raises it): for records of one start that a later WAL
     * file of the same start moved back (a cut), the record must be where the log ended, or the check at open could
     * find the older, higher entry in the segments and take a log that lost the later entries for whole.
     *
     * @param index of that entry.
     * @param term  of that entry.
     */
    synchronized void replaceLogDamage(final long index, final long term)
    {
        if (index != damagedIndex || term != damagedTerm || !found)
        {
            damagedIndex = index;
            damagedTerm = term;
            // A server with records in the WAL has stored a term: none found means it is lost too.
            termAndVoteLost |= !found;
            found = true;
            writeSlot(DAMAGE_RECORD);
        }
    }

    /**
     * The log turned out whole after all (it still has the entry recorded by {@link #recordLogDamage}).
     */
    synchronized void clearLogDamage()
    {
        if (damagedIndex != 0)
        {
            damagedIndex = 0;
            damagedTerm = 0;
            writeSlot(DAMAGE_RECORD);
        }
    }

    /**
     * Record, durably, that term and vote were lost.
     */
    synchronized void recordTermAndVoteLost()
    {
        termAndVoteLost = true;
        found = true;
        writeSlot(DAMAGE_RECORD);
    }

    /**
     * @return the term of the entry at {@link #damagedAcknowledgedIndex()}.
     */
    synchronized long damagedAcknowledgedTerm()
    {
        return damagedTerm;
    }

    @Override
    public synchronized long damagedAcknowledgedIndex()
    {
        return damagedIndex;
    }

    @Override
    public synchronized boolean termAndVoteLost()
    {
        return termAndVoteLost;
    }

    @Override
    public synchronized void clearDamage()
    {
        checkOpen();
        if (damagedIndex != 0 || termAndVoteLost)
        {
            damagedIndex = 0;
            damagedTerm = 0;
            termAndVoteLost = false;
            writeSlot(DAMAGE_RECORD);
        }
    }

    @Override
    public synchronized byte[] serverConfig()
    {
        return null == config ? null : config.clone();
    }

    @Override
    public synchronized void storeServerConfig(final byte[] newConfig)
    {
        checkOpen();
        Objects.requireNonNull(newConfig, "config");
        final ByteBuffer content = ByteBuffer.allocate(CONFIG_HEADER + newConfig.length);
        content.putInt(Formats.CONFIG_MAGIC).putInt(Formats.VERSION).putInt(newConfig.length)
            .putInt(Formats.crc(newConfig, 0, newConfig.length)).put(newConfig).flip();
        try
        {
            AtomicFiles.write(files, configPath, content);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write server configuration " + configPath, ex);
        }
        config = newConfig.clone();
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            flushLastApplied();
        }
        catch (final UncheckedIOException ex)
        {
            LOG.warn("could not persist last applied on close: {}", ex.getMessage());
        }
        closed = true;
        closeFiles();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("meta store of " + primary.path.getParent() + " is closed");
        }
        checkNotFailed();
    }

    private void checkNotFailed()
    {
        if (null != failedWrite)
        {
            throw new IllegalStateException("meta store of " + primary.path.getParent() + ": a write of its " +
                failedWriteOf + " failed, so what its files hold is unknown until the storage is opened again (" +
                failedWrite.getMessage() + (null == failedWrite.getCause() ? "" : ": " +
                failedWrite.getCause().getMessage()) + ")", failedWrite);
        }
    }

    private void closeFiles()
    {
        close(primary);
        close(copy);
    }

    private static void close(final MetaFile meta)
    {
        try
        {
            if (null != meta.file)
            {
                meta.file.close();
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("could not close {}: {}", meta.path, ex.getMessage());
        }
        finally
        {
            meta.file = null;
        }
    }
}
