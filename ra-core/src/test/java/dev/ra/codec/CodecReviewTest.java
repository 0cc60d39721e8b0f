package dev.ra.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Decoding bytes from another node (or the disk) that no valid encoder produced: each must fail with a
 * {@link CodecException}, without allocating more than the input justifies.
 */
class CodecReviewTest
{
    private static final int LIST = 9;
    private static final int SET = 10;
    private static final int MAP = 11;
    private static final int ENUM = 14;
    private static final int RECORD = 15;

    /** An enum whose class cannot be initialised, as one that needs a missing resource or library. */
    enum Uninitialisable
    {
        ONLY;

        static final int VALUE = fail();

        private static int fail()
        {
            throw new IllegalStateException("this class cannot be initialised here");
        }
    }

    /** A record whose class cannot be initialised. */
    record UninitialisableRecord(Object value)
    {
        static final int VALUE = fail();

        private static int fail()
        {
            throw new IllegalStateException("this class cannot be initialised here");
        }
    }

    /**
     * The generic codec presizes a list, set or map for the count its header claims, before decoding any element;
     * nested 64 deep, each level claiming about as many elements as the bytes left, a message of 64 KiB made the
     * decoder hold 64 tables of that size at once (tens of MiB; a 16 MiB message, gigabytes) before it found that the
     * elements are not there. Right: memory grows with the elements actually decoded, so decoding these bytes
     * allocates a few times their size.
     */
    @Test
    void nestedCollectionsClaimingHugeCountsDoNotAllocateForThem()
    {
        for (final int tag : new int[]{LIST, SET, MAP})
        {
            final byte[] bomb = nestedBomb(tag, 64 * 1024);
            // Once unmeasured: the first failure of a kind loads classes and resolves call sites.
            catchThrowable(() -> Codecs.generic().fromBytes(bomb));
            final long before = allocatedBytes();
            final Throwable thrown = catchThrowable(() -> Codecs.generic().fromBytes(bomb));
            final long allocated = allocatedBytes() - before;
            assertThat(thrown).as("tag " + tag).isInstanceOf(CodecException.class);
            assertThat(allocated).as("bytes allocated decoding %d bytes of tag %d", bomb.length, tag)
                .isLessThan(16L * bomb.length);
        }
    }

    /**
     * Each of 65 levels: a collection claiming as many elements (or entries) as the bytes left allow, whose first
     * element (or entry) is a null and whose next one is the next level; then nulls to the end. The outer levels
     * never get their further elements, so decoding fails as truncated, but only after every level has been sized.
     */
    private static byte[] nestedBomb(final int tag, final int size)
    {
        final BufferWriter out = new BufferWriter(size);
        for (int level = 0; level <= 64; level++)
        {
            final int left = size - out.position();
            out.writeByte(tag).writeVarLong(tag == MAP ? left / 2 - 8 : left - 8);
            out.writeByte(0);
            if (tag == MAP)
            {
                out.writeByte(0);   // the first entry is null -> null; the next level is the next entry's key
            }
        }
        while (out.position() < size)
        {
            out.writeByte(0);
        }
        return out.toByteArray();
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * The generic codec makes the accessors of a record named by the bytes accessible before it builds one; for a
     * record of a package its module does not open (here one of java.base), that throws
     * {@link java.lang.reflect.InaccessibleObjectException}, which escaped the decoder instead of a
     * {@link CodecException}, past handlers that expect decoding failures to be CodecExceptions.
     */
    @Test
    void aRecordOfAClosedPackageNamedByTheBytesFailsAsUndecodable()
    {
        final String closed = "sun.security.pkcs.SignerInfo$AlgorithmInfo";
        final byte[] bytes = new BufferWriter(64).writeByte(RECORD).writeString(closed).writeByte(0).writeByte(0)
            .toByteArray();
        assertThatThrownBy(() -> Codecs.generic().fromBytes(bytes)).isInstanceOf(CodecException.class)
            .hasMessageContaining(closed);
    }

    /**
     * An enum or record class named by the bytes is initialised when the decoder asks for its constants or builds
     * one; a class whose initialisation fails threw {@link ExceptionInInitializerError} (and then
     * {@link NoClassDefFoundError}), Errors that pass every {@code catch (RuntimeException)} on the way, up to the
     * thread that received the message. Right: a {@link CodecException} naming the class, every time.
     */
    @Test
    void anEnumOrRecordWhoseClassCannotBeInitialisedFailsAsUndecodable()
    {
        final byte[] anEnum = new BufferWriter(64).writeByte(ENUM).writeString(Uninitialisable.class.getName())
            .writeString("ONLY").toByteArray();
        final byte[] aRecord = new BufferWriter(64).writeByte(RECORD)
            .writeString(UninitialisableRecord.class.getName()).writeByte(0).toByteArray();
        for (int attempt = 0; attempt < 2; attempt++)
        {
            assertThatThrownBy(() -> Codecs.generic().fromBytes(anEnum)).isInstanceOf(CodecException.class)
                .hasMessageContaining(Uninitialisable.class.getName());
            assertThatThrownBy(() -> Codecs.generic().fromBytes(aRecord)).isInstanceOf(CodecException.class)
                .hasMessageContaining(UninitialisableRecord.class.getName());
        }
    }

    /**
     * No valid encoder writes invalid UTF-8 ({@code String.getBytes(UTF_8)} never does), yet a string of invalid
     * UTF-8 decoded silently, each bad byte becoming U+FFFD: different bytes decoded to equal strings (names, keys),
     * and the damage went unnoticed. Right: a {@link CodecException} saying the string is not valid UTF-8.
     */
    @Test
    void aStringOfInvalidUtf8FailsToDecode()
    {
        final byte[] invalid = {(byte)'k', (byte)0xC3, (byte)'x', (byte)0xFF};
        final byte[] bytes = new BufferWriter(16).writeByteArray(invalid).toByteArray();
        assertThatThrownBy(() -> Codecs.string().fromBytes(bytes)).isInstanceOf(CodecException.class)
            .hasMessageContaining("UTF-8");
        final byte[] generic = new BufferWriter(16).writeByte(6).writeByteArray(invalid).toByteArray();
        assertThatThrownBy(() -> Codecs.generic().fromBytes(generic)).isInstanceOf(CodecException.class)
            .hasMessageContaining("UTF-8");
        // Valid UTF-8 of every length still decodes.
        final String text = "ascii é € 𝄞";
        assertThat(Codecs.string().fromBytes(Codecs.string().toBytes(text))).isEqualTo(text);
        assertThat(new BufferReader(new BufferWriter(16).writeByteArray(text.getBytes(StandardCharsets.UTF_8))
            .toByteArray()).readString()).isEqualTo(text);
    }

    /**
     * The range check of {@code new BufferReader(buffer, offset, length)} added offset and length in an int: a length
     * near {@link Integer#MAX_VALUE} overflowed, passed, and made {@code remaining()} huge, so that reads got past the
     * bounds checks and failed with {@link ArrayIndexOutOfBoundsException} instead of {@link CodecException}. Right:
     * the constructor refuses the range.
     */
    @Test
    void aReaderOverARangePastTheArrayIsRefused()
    {
        assertThatThrownBy(() -> new BufferReader(new byte[8], 4, Integer.MAX_VALUE))
            .isInstanceOf(IndexOutOfBoundsException.class);
    }


    /**
     * Half of a surrogate pair cannot be carried by UTF-8: {@code writeString} used to write '?' for it, so the value
     * decoded differed from the value encoded. It refuses it now; {@code writeText}, for messages meant for people,
     * writes '?' so that the message still gets through.
     */
    @Test
    void aStringUtf8CannotCarryIsRefusedAndATextMadeCarriable()
    {
        assertThatThrownBy(() -> new BufferWriter(16).writeString("a\uD800b"))
            .isInstanceOf(CodecException.class).hasMessageContaining("index 1");
        assertThatThrownBy(() -> Codecs.generic().toBytes("x\uDC00")).isInstanceOf(CodecException.class);

        final BufferWriter text = new BufferWriter(16).writeText("a\uD800b");
        assertThat(new BufferReader(text.array(), 0, text.position()).readString()).isEqualTo("a?b");
        final String pair = "clef \uD834\uDD1E";
        assertThat(BufferWriter.wellFormed(pair)).isSameAs(pair);
        assertThat(Codecs.generic().fromBytes(Codecs.generic().toBytes(pair))).isEqualTo(pair);
    }

    /**
     * A Short or Character is written as four bytes; the decoder cast whatever four bytes it found, so a damaged or
     * forged value out of their range (70,000 under the SHORT tag) decoded silently as another one (4,464). Right: a
     * {@link CodecException} naming the type and the value; every value in range still decodes.
     */
    @Test
    void aShortOrCharacterOutOfItsRangeFailsToDecode()
    {
        final byte[] shortTooBig = new BufferWriter(8).writeByte(17).writeInt(70_000).toByteArray();
        assertThatThrownBy(() -> Codecs.generic().fromBytes(shortTooBig)).isInstanceOf(CodecException.class)
            .hasMessageContaining("Short").hasMessageContaining("70000");
        final byte[] charNegative = new BufferWriter(8).writeByte(19).writeInt(-1).toByteArray();
        assertThatThrownBy(() -> Codecs.generic().fromBytes(charNegative)).isInstanceOf(CodecException.class)
            .hasMessageContaining("Character").hasMessageContaining("-1");
        for (final Object value : new Object[]{Short.MIN_VALUE, Short.MAX_VALUE, (short)0, Character.MIN_VALUE,
            Character.MAX_VALUE, 'x'})
        {
            assertThat(Codecs.generic().fromBytes(Codecs.generic().toBytes(value))).isEqualTo(value);
        }
    }
}
