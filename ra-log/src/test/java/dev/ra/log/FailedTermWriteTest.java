package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.MetaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A term and vote write that fails (a failed sync: the page cache can no longer be trusted) leaves the meta store
 * saying nothing it cannot vouch for: Raft must never act in a term that is not durable.
 */
class FailedTermWriteTest
{
    private static final ServerId A = new ServerId("a", "n1");
    private static final ServerId B = new ServerId("b", "n1");

    @TempDir
    Path dir;

    /**
     * The store took the new term and vote into memory before writing them: after the failed write,
     * {@code currentTerm()} reported a term that was not on disk, and a retry could report it durable although the
     * failed sync may have dropped the first write's pages.
     */
    @Test
    void afterAFailedWriteTheStoreReportsNoTermItCannotVouchFor()
    {
        final AtomicBoolean failSyncs = new AtomicBoolean();
        final FileLayer failing = failingMetaSyncs(failSyncs);
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(failing).build())
        {
            final MetaStore meta = storage.open(A, new RecordingListener()).meta();
            meta.storeTermAndVote(4, A);
            failSyncs.set(true);
            assertThatThrownBy(() -> meta.storeTermAndVote(5, B)).isInstanceOf(UncheckedIOException.class);
            failSyncs.set(false);
            assertThatThrownBy(meta::currentTerm).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("term and vote").hasMessageContaining("failed");
            assertThatThrownBy(meta::votedFor).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> meta.storeTermAndVote(5, B)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed");
        }
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            assertThat(storage.open(A, new RecordingListener()).meta().currentTerm()).isBetween(4L, 5L);
        }
    }

    /**
     * A failed write of last applied (the periodic flush, or the one at close) latched the store as one of term and
     * vote does, but the refusals said that a write of term and vote had failed, when none had been asked for.
     */
    @Test
    void theRefusalsAfterAFailedLastAppliedWriteNameThatWrite()
    {
        final AtomicBoolean failSyncs = new AtomicBoolean();
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(failingMetaSyncs(failSyncs)).build())
        {
            final FileServerStorage server = (FileServerStorage)storage.open(A, new RecordingListener());
            failSyncs.set(true);
            server.meta().storeLastApplied(7);
            try
            {
                server.fileMeta().flushLastApplied();
            }
            catch (final UncheckedIOException expected)
            {
                // this flush failed, or the periodic one did first
            }
            failSyncs.set(false);
            assertThatThrownBy(() -> server.meta().storeTermAndVote(5, B)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a write of its last applied index failed")
                .hasMessageContaining(ServerDirectory.META_FILE).hasMessageContaining("Input/output error");
        }
    }

    /** @return the real file system, whose syncs of the meta files fail while {@code failSyncs} is set. */
    private static FileLayer failingMetaSyncs(final AtomicBoolean failSyncs)
    {
        return new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile file = super.open(path, create);
                return !path.getFileName().toString().startsWith("meta") ? file : new ForwardingLogFile(file)
                {
                    @Override
                    public void force() throws IOException
                    {
                        if (failSyncs.get())
                        {
                            throw new IOException("Input/output error");
                        }
                        super.force();
                    }
                };
            }
        };
    }
}
