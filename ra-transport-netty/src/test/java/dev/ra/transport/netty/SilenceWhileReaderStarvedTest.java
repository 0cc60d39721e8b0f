package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link SilenceDetector} on injected ticks when the thread that reads a node is starved (it runs a long
 * {@code apply}, or the machine gives it no CPU) while the check's own thread runs on time: the node's frames wait
 * unread, so it is not reported silent; once the reading thread listens again, a node that stays silent is.
 */
class SilenceWhileReaderStarvedTest
{
    private static final long SILENCE = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long START = -TimeUnit.SECONDS.toNanos(3);
    /** The connection's failure timeout, which the reading thread's own check of it uses. */
    private static final long FAILURE_TIMEOUT = TimeUnit.SECONDS.toNanos(5);

    @Test
    void aNodeIsNotReportedSilentWhileTheThreadThatReadsItIsStarved()
    {
        final SilenceDetector detector = new SilenceDetector(SILENCE);
        final Recorder recorder = new Recorder();
        final PeerLink link = connected("b", START);
        detector.startedAt(START);
        long now = START;
        // The reading thread stops at START; the check's thread goes on for four silences.
        for (int i = 0; i < 16; i++)
        {
            now += detector.periodNanos();
            detector.check(List.of(link), recorder, now);
        }
        assertThat(recorder.silent).as("reported silent while its reader was starved").isEmpty();
    }

    @Test
    void aNodeThatStaysSilentOnceItsReaderListensAgainIsReported()
    {
        final SilenceDetector detector = new SilenceDetector(SILENCE);
        final Recorder recorder = new Recorder();
        final PeerLink link = connected("b", START);
        detector.startedAt(START);
        long now = START;
        for (int i = 0; i < 16; i++)
        {
            now += detector.periodNanos();
            detector.check(List.of(link), recorder, now);
        }
        // The reading thread resumes: its check of the connection runs late, so it listens from now on.
        final long resumed = now;
        final ListeningWatch reader = new ListeningWatch(detector.periodNanos(), FAILURE_TIMEOUT, START);
        assertThat(reader.check(resumed)).as("the reader's check on resuming is late").isTrue();
        link.readerChecked(resumed, reader.resumedNanos());
        for (int i = 0; i < 16 && recorder.silent.isEmpty(); i++)
        {
            now += detector.periodNanos();
            reader.check(now);
            link.readerChecked(now, reader.resumedNanos());
            detector.check(List.of(link), recorder, now);
            if (now - resumed <= SILENCE)
            {
                assertThat(recorder.silent).as("reported within a silence of the reader resuming").isEmpty();
            }
        }
        assertThat(recorder.silent).as("reported once silent for a whole silence after").containsExactly("b");
    }

    @Test
    void aNodeSilentWhileEveryThreadListensIsReportedAfterTheSilence()
    {
        final SilenceDetector detector = new SilenceDetector(SILENCE);
        final Recorder recorder = new Recorder();
        final PeerLink link = connected("b", START);
        detector.startedAt(START);
        final ListeningWatch reader = new ListeningWatch(detector.periodNanos(), FAILURE_TIMEOUT, START);
        long now = START;
        for (int i = 0; i < 16 && recorder.silent.isEmpty(); i++)
        {
            now += detector.periodNanos();
            reader.check(now);
            link.readerChecked(now, reader.resumedNanos());
            detector.check(List.of(link), recorder, now);
        }
        assertThat(recorder.silent).containsExactly("b");
        assertThat(now - START).isGreaterThan(SILENCE).isLessThanOrEqualTo(SILENCE + detector.periodNanos());
    }

    private static PeerLink connected(final String node, final long nowNanos)
    {
        final PeerLink link = new PeerLink(node, null);
        link.active = new EmbeddedChannel();
        link.reportedUp = true;
        link.attached(nowNanos);
        return link;
    }

    /** What the detector reported. */
    private static final class Recorder implements TransportListener
    {
        final List<String> silent = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
        }

        @Override
        public void onNodeUp(final String node)
        {
        }

        @Override
        public void onNodeDown(final String node)
        {
        }

        @Override
        public void onNodeSilent(final String node)
        {
            silent.add(node);
        }
    }
}
