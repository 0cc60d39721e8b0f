package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock file of a data directory ({@link RealFileLayer#lock}) keeps no descriptor open when the lock is not taken.
 */
class LockFileTest
{
    private static final Path LOCK = Path.of("/data/lock");

    /**
     * A lock that failed with an I/O error (a file system without locks: ENOLCK on NFS) left its channel open: each
     * retry of building the storage leaked a descriptor, and the error named no file.
     */
    @Test
    void aLockThatFailsWithAnIoErrorClosesItsChannelAndNamesTheFile()
    {
        final LockChannel channel = new LockChannel(new IOException("No locks available"));
        assertThatThrownBy(() -> RealFileLayer.hold(channel, LOCK)).isInstanceOf(IOException.class)
            .hasMessageContaining(LOCK.toString()).hasMessageContaining("No locks available");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aLockHeldElsewhereClosesItsChannel()
    {
        final LockChannel channel = new LockChannel(null);
        assertThatThrownBy(() -> RealFileLayer.hold(channel, LOCK)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("already used by another process");
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * A second storage built on a directory this JVM already used was refused, but closing the channel it had opened
     * on the lock file released the first storage's lock too (record locks belong to the process: closing any of its
     * descriptors of the file drops them), so another process could then take the directory while the first storage
     * still wrote to it.
     */
    @Test
    void aSecondStorageRefusedInThisJvmLeavesTheFirstOnesLockHeld(@TempDir final Path dir) throws Exception
    {
        final Path lock = dir.resolve(FileStorage.LOCK_FILE);
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            assertThatThrownBy(() -> FileStorage.builder().directory(dir).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another storage in this JVM");
            assertThat(probe(lock)).isEqualTo(LockProbeMain.HELD);
        }
        assertThat(probe(lock)).isEqualTo(LockProbeMain.TAKEN);
    }

    /** @return how another process fared taking the lock ({@link LockProbeMain}). */
    private static int probe(final Path lock) throws Exception
    {
        final Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), LockProbeMain.class.getName(), lock.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return child.exitValue();
    }

    /** A channel whose tryLock fails with the given error, or finds the lock held (null). */
    private static final class LockChannel extends FileChannel
    {
        private final IOException failure;

        LockChannel(final IOException failure)
        {
            this.failure = failure;
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException
        {
            if (null != failure)
            {
                throw failure;
            }
            return null;
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(final ByteBuffer src)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position()
        {
            return 0;
        }

        @Override
        public FileChannel position(final long newPosition)
        {
            return this;
        }

        @Override
        public long size()
        {
            return 0;
        }

        @Override
        public FileChannel truncate(final long size)
        {
            return this;
        }

        @Override
        public void force(final boolean metaData)
        {
            // nothing to sync
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(final ReadableByteChannel src, final long position, final long count)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(final ByteBuffer dst, final long position)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(final ByteBuffer src, final long position)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel()
        {
            // isOpen() turns false
        }
    }
}
