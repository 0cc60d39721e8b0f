package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control loop answers every command with lines starting {@code ra> }, survives bad commands, and closes the node
 * once, on {@code stop} or at the end of its input; with a transport it blocks, unblocks and reports its counters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeControlTest
{
    private final InJvmNetwork network = new InJvmNetwork();
    private final RaSystem system = RaSystem.builder().nodeId("n1").transport(network.newTransport())
        .storage(new InMemoryStorage()).electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
        .tickInterval(Duration.ofMillis(50)).build();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final AtomicInteger closes = new AtomicInteger();

    @AfterEach
    void close()
    {
        system.close();
        network.close();
    }

    private NodeControl control()
    {
        return NodeControl.builder(system, closes::incrementAndGet)
            .output(new PrintStream(output, true, StandardCharsets.UTF_8))
            .command("echo", words -> "echoed " + String.join(" ", List.of(words).subList(1, words.length)))
            .command("fail", words ->
            {
                throw new IllegalStateException("failed on purpose");
            })
            .build();
    }

    private List<String> lines()
    {
        return output.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static ByteArrayInputStream input(final String text)
    {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void answersTheCommonAndAddedCommandsAndStopsOnStop() throws IOException
    {
        final ServerId member = new ServerId("c", "n1");
        system.startCluster("c", new CounterMachine(), List.of(member));
        final NodeControl control = control();
        control.ready(new InetSocketAddress("127.0.0.1", 7001));

        control.run(input("status\n\n  echo a  b \nbogus\nfail\nclose\nclose x\nstop\nstatus\n"));

        assertThat(lines()).allMatch(line -> line.startsWith(NodeControl.PREFIX));
        assertThat(lines().get(0)).isEqualTo("ra> ready n1 127.0.0.1:7001");
        assertThat(lines().get(1)).startsWith("ra> status c@n1 LEADER term=").contains(" applied=");
        assertThat(lines().subList(2, lines().size())).containsExactly("ra> ok status", "ra> echoed a b",
            "ra> error unknown command bogus", "ra> error failed on purpose", "ra> error usage: close <id>",
            "ra> error close: expected a process id (the number spawn answered), got 'x'", "ra> ok stop");
        assertThat(closes).hasValue(1);
    }

    /**
     * A server whose overview failed (here one that does not answer within the default timeout) ended the status
     * there, with only that error: the servers after it were not reported, and no {@code ok status} came.
     */
    @Test
    void statusReportsAServerWhoseOverviewFailsAndGoesOn()
    {
        final CountDownLatch release = new CountDownLatch(1);
        // Two loops: the servers, started one after the other, run on a loop each, so only the stuck one is stuck.
        try (InJvmNetwork own = new InJvmNetwork();
            RaSystem two = RaSystem.builder().nodeId("n1").transport(own.newTransport())
                .storage(new InMemoryStorage()).eventLoops(2).defaultTimeout(Duration.ofSeconds(1))
                .electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200)).tickInterval(Duration.ofMillis(50))
                .build())
        {
            try
            {
                two.startCluster("stuck", new StuckOverview(release), List.of(new ServerId("stuck", "n1")));
                two.startCluster("c", new CounterMachine(), List.of(new ServerId("c", "n1")));
                final NodeControl control = NodeControl.builder(two, closes::incrementAndGet)
                    .output(new PrintStream(output, true, StandardCharsets.UTF_8)).build();

                assertThat(control.execute("status")).isTrue();

                assertThat(lines()).hasSize(3).last().isEqualTo("ra> ok status");
                assertThat(lines()).anySatisfy(line -> assertThat(line).startsWith("ra> status c@n1 "))
                    .anySatisfy(line -> assertThat(line).startsWith("ra> status stuck@n1 unavailable "));
            }
            finally
            {
                release.countDown();
            }
        }
    }

    /** A counter whose overview waits until released (at most a minute). */
    private record StuckOverview(CountDownLatch release) implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            return ApplyResult.of(state + amount, state + amount);
        }

        @Override
        public Map<String, Object> overview(final Long state)
        {
            try
            {
                release.await(1, TimeUnit.MINUTES);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return Map.of();
        }

        @Override
        public Class<Long> commandType()
        {
            return Long.class;
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }

    @Test
    void theEndOfTheInputClosesTheNode() throws IOException
    {
        control().run(input("status\n"));

        assertThat(lines()).containsExactly("ra> ok status");
        assertThat(closes).hasValue(1);
    }

    @Test
    void aSpawnedProcessReportsWhatItReceivesUntilClosed()
    {
        final NodeControl control = control();
        assertThat(control.execute("spawn")).isTrue();
        final String[] spawned = lines().get(0).split(" ");
        assertThat(spawned[1]).isEqualTo("spawned");
        final ProcessRef process = new ProcessRef(spawned[2], Long.parseLong(spawned[3]));

        system.send(process, "hello");
        InJvmCluster.await(() -> lines().contains("ra> event message " + process.id() + " hello") ? Boolean.TRUE : null,
            Duration.ofSeconds(10), "the message to be reported");
        assertThat(control.execute("close " + process.id())).isTrue();
        assertThat(lines()).endsWith("ra> ok close");
        assertThat(closes).hasValue(0);
    }

    @Test
    void theTransportsCommandsBlockUnblockMuteUnmuteAndReportItsCounters()
    {
        final NettyTransport transport = new NettyTransport(NettyTransportConfig.builder().clusterId("control")
            .listenAddress(new InetSocketAddress("127.0.0.1", 0)).peer("n2", new InetSocketAddress("127.0.0.1",
                LoopbackPorts.freePort())).build());
        try (RaSystem onNetty = RaSystem.builder().nodeId("n1").transport(transport).storage(new InMemoryStorage())
            .build())
        {
            final NodeControl control = NodeControl.builder(onNetty, () -> { })
                .output(new PrintStream(output, true, StandardCharsets.UTF_8)).transport(transport).build();

            for (final String command : List.of("block n2", "unblock n2", "block", "mute n2", "unmute n2", "mute",
                "stats"))
            {
                assertThat(control.execute(command)).isTrue();
            }

            assertThat(lines().subList(0, 6)).containsExactly("ra> ok block", "ra> ok unblock",
                "ra> error usage: block <node>", "ra> ok mute", "ra> ok unmute", "ra> error usage: mute <node>");
            assertThat(lines().get(6)).startsWith("ra> stats ").contains("messagesSent=");
        }
    }

    @Test
    void aCommandCannotReplaceACommonOneOrAnotherAddedOne()
    {
        final NodeControl.Builder builder = NodeControl.builder(system, () -> { });
        assertThatThrownBy(() -> builder.command("stop", words -> "no")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'stop'");
        builder.command("kv", words -> "ok");
        assertThatThrownBy(() -> builder.command("kv", words -> "again"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'kv'");
    }
}
