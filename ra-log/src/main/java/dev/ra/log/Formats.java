package dev.ra.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Magic numbers, format versions and checksum helpers shared by every file ra-log writes (see docs/log-format.md).
 * Every file starts with a 4-byte ASCII magic and a 4-byte version, so a reader can refuse what it does not know.
 */
final class Formats
{
    /** Write-ahead log file: {@code RAWL}. */
    static final int WAL_MAGIC = magic("RAWL");
    /** Segment file: {@code RASG}. */
    static final int SEGMENT_MAGIC = magic("RASG");
    /** Segment trailer: {@code RASE}. */
    static final int SEGMENT_TRAILER_MAGIC = magic("RASE");
    /** Snapshot file: {@code RASN}. */
    static final int SNAPSHOT_MAGIC = magic("RASN");
    /** Meta store file: {@code RAMT}. */
    static final int META_MAGIC = magic("RAMT");
    /** Server identity file: {@code RASV}. */
    static final int SERVER_ID_MAGIC = magic("RASV");
    /** Server configuration file: {@code RACF}. */
    static final int CONFIG_MAGIC = magic("RACF");
    /** The servers deleted with their cluster on this node ({@link DeletedServersFile}): {@code RADS}. */
    static final int DELETED_SERVERS_MAGIC = magic("RADS");
    /** The WAL's durable mark ({@link WalMark}). */
    static final int WAL_MARK_MAGIC = magic("RAMK");

    /**
     * The version no release writes: in a header without a checksum, what a write torn after the magic leaves (the
     * zeros of a fresh or emptied file), so damage, never a file of another release.
     */
    static final int NO_VERSION = 0;
    /** What a header reading {@link #NO_VERSION} is. */
    static final String TORN_AFTER_MAGIC = "format version 0, which no release writes: a header torn after its magic";

    /** Version of every format written by this code, except the WAL's. */
    static final int VERSION = 1;
    /** Version of the WAL format: 2 added the file sequence to every batch and the end marker (file recycling). */
    static final int WAL_VERSION = 2;

    private Formats()
    {
    }

    private static int magic(final String text)
    {
        final byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /**
     * @param magic as an int.
     * @return its four characters, for error messages.
     */
    static String magicText(final int magic)
    {
        final char[] c = new char[4];
        for (int i = 0; i < 4; i++)
        {
            final int b = (magic >>> (24 - 8 * i)) & 0xFF;
            c[i] = b >= 0x20 && b < 0x7F ? (char)b : '?';
        }
        return new String(c);
    }

    /**
     * @param data   bytes.
     * @param offset of the first.
     * @param length how many.
     * @return their CRC32C as an int.
     */
    static int crc(final byte[] data, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int)crc.getValue();
    }

    /**
     * @param buffer whose bytes {@code [from, to)} are summed; its position and limit are left unchanged.
     * @param from   absolute start.
     * @param to     absolute end.
     * @return their CRC32C as an int.
     */
    static int crc(final ByteBuffer buffer, final int from, final int to)
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer view = buffer.duplicate();
        view.limit(to).position(from);
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * Check a file's magic and version (one of the formats at {@link #VERSION}).
     *
     * @param path     of the file, for the message.
     * @param expected magic.
     * @param magic    read.
     * @param version  read.
     * @throws IllegalStateException if the magic is wrong or the version is 0 (torn);
     *     {@link UnsupportedFormatException} if the version is not one this code reads.
     */
    static void checkHeader(final Path path, final int expected, final int magic, final int version)
    {
        if (magic != expected)
        {
            throw corrupt(path, 0, "bad magic '" + magicText(magic) + "', expected '" + magicText(expected) + "'");
        }
        if (NO_VERSION == version)
        {
            throw corrupt(path, 4, TORN_AFTER_MAGIC);
        }
        checkVersion(path, version, VERSION, VERSION);
    }

    /**
     * Check a file's magic and version (one of the formats at {@link #VERSION}) in a header that has a checksum: a
     * version this code does not read is a newer (or older) release's only if the checksum matches. Every version of
     * such a format keeps its header checksum where it is, so that a header torn by a crash or damaged since (its
     * version field reading 0, or garbled) is told from a newer release's file, and handled as damage.
     *
     * @param path           of the file, for the message.
     * @param expected       magic.
     * @param magic          read.
     * @param version        read.
     * @param intact         whether the header's checksum matches.
     * @param checksumOffset where the header's checksum is, for the message.
     * @throws IllegalStateException naming the file and offset if the magic is wrong, or the version is not one this
     *     code reads and the checksum does not match; {@link UnsupportedFormatException} if the version is not one
     *     this code reads and the checksum matches.
     */
    static void checkHeader(final Path path, final int expected, final int magic, final int version,
        final boolean intact, final long checksumOffset)
    {
        if (magic != expected)
        {
            throw corrupt(path, 0, "bad magic '" + magicText(magic) + "', expected '" + magicText(expected) + "'");
        }
        if (version != VERSION && !intact)
        {
            throw damagedVersion(path, version, checksumOffset);
        }
        checkVersion(path, version, VERSION, VERSION);
    }

    /**
     * @param path           of the file.
     * @param version        its version field reads.
     * @param checksumOffset of the header's checksum.
     * @return the error for a header whose version is not one this code reads and whose checksum does not match: a
     *     damaged header, not a newer release's file.
     */
    static IllegalStateException damagedVersion(final Path path, final int version, final long checksumOffset)
    {
        return corrupt(path, checksumOffset, "header checksum mismatch (a torn or damaged header: its version field " +
            "reads " + version + ", and the header of a file written by another release would check)");
    }

    /**
     * @param path   of the file, for the message.
     * @param version read.
     * @param oldest the oldest version this code reads.
     * @param newest the newest version this code reads (the one it writes).
     * @throws UnsupportedFormatException naming the file, the version found and the range read, if it is outside.
     */
    static void checkVersion(final Path path, final int version, final int oldest, final int newest)
    {
        if (version < oldest || version > newest)
        {
            throw new UnsupportedFormatException(path, version, oldest, newest);
        }
    }

    /**
     * @param path   of the damaged file.
     * @param offset of the damage.
     * @param what   is wrong.
     * @return an exception naming the file and offset.
     */
    static IllegalStateException corrupt(final Path path, final long offset, final String what)
    {
        return new IllegalStateException("corrupt file " + path + " at offset " + offset + ": " + what);
    }
}
