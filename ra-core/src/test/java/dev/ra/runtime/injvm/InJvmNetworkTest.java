package dev.ra.runtime.injvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InJvmNetworkTest
{
    private final InJvmNetwork network = new InJvmNetwork();
    private final Recorder a = new Recorder();
    private final Recorder b = new Recorder();
    private final Transport ta = network.newTransport();
    private final Transport tb = network.newTransport();

    /** Records what a node hears. */
    private static final class Recorder implements TransportListener
    {
        final BlockingQueue<NodeMessage> messages = new LinkedBlockingQueue<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            messages.add(message);
        }

        @Override
        public void onNodeUp(final String node)
        {
            events.add("up " + node);
        }

        @Override
        public void onNodeDown(final String node)
        {
            events.add("down " + node);
        }
    }

    private static NodeMessage message(final int n)
    {
        return new NodeMessage.ServerDown(new ServerId("s" + n, "a"), new ServerId("t", "b"));
    }

    @AfterEach
    void close()
    {
        ta.close();
        tb.close();
        network.close();
    }

    @Test
    void nodesSeeEachOtherComeUpAndExchangeMessagesInOrder() throws InterruptedException
    {
        ta.start("a", a);
        tb.start("b", b);

        assertThat(a.events).containsExactly("up b");
        assertThat(b.events).containsExactly("up a");
        for (int i = 0; i < 100; i++)
        {
            ta.send("b", message(i));
        }
        for (int i = 0; i < 100; i++)
        {
            assertThat(b.messages.poll(5, TimeUnit.SECONDS)).isEqualTo(message(i));
        }
        ta.send("nowhere", message(0));
        assertThat(ta.isReachable("b")).isTrue();
        assertThat(ta.isReachable("nowhere")).isFalse();
    }

    @Test
    void aPartitionDropsMessagesBothWaysAndReportsBothNodesDownUntilHealed() throws InterruptedException
    {
        ta.start("a", a);
        tb.start("b", b);

        network.partition("a", "b");
        ta.send("b", message(1));
        tb.send("a", message(2));
        assertThat(a.events).containsExactly("up b", "down b");
        assertThat(b.events).containsExactly("up a", "down a");
        assertThat(ta.isReachable("b")).isFalse();

        network.heal("a", "b");
        ta.send("b", message(3));
        assertThat(b.messages.poll(5, TimeUnit.SECONDS)).isEqualTo(message(3));
        assertThat(a.messages).isEmpty();
        assertThat(a.events).containsExactly("up b", "down b", "up b");
    }

    @Test
    void aOneWayCutLosesMessagesSilentlyInOneDirectionOnly() throws InterruptedException
    {
        ta.start("a", a);
        tb.start("b", b);

        network.cutOneWay("a", "b");
        ta.send("b", message(1));
        tb.send("a", message(2));

        assertThat(a.messages.poll(5, TimeUnit.SECONDS)).isEqualTo(message(2));
        assertThat(b.messages).isEmpty();
        assertThat(a.events).containsExactly("up b");
        network.healAll();
        ta.send("b", message(3));
        assertThat(b.messages.poll(5, TimeUnit.SECONDS)).isEqualTo(message(3));
    }

    @Test
    void aDelayedLinkKeepsItsOrderAndDropRateOneLosesEverything() throws InterruptedException
    {
        ta.start("a", a);
        tb.start("b", b);

        network.delay("a", "b", Duration.ofMillis(20));
        for (int i = 0; i < 20; i++)
        {
            ta.send("b", message(i));
        }
        final List<NodeMessage> received = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            received.add(b.messages.poll(5, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 20; i++)
        {
            assertThat(received.get(i)).isEqualTo(message(i));
        }

        network.delay("a", "b", Duration.ZERO);
        network.dropRate("a", "b", 1.0);
        ta.send("b", message(99));
        assertThat(b.messages.poll(50, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void closingANodeReportsItDownAndBadArgumentsAreRefused()
    {
        ta.start("a", a);
        tb.start("b", b);

        tb.close();

        assertThat(a.events).containsExactly("up b", "down b");
        assertThatThrownBy(() -> network.partition("a", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> network.dropRate("a", "b", 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> network.newTransport().start("a", a)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("already attached");
    }
}
