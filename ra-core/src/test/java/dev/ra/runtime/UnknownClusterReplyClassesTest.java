package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that does not know a cluster does not know its machine's reply codec. It read the replies of a notice from
 * such a cluster's leader with the unrestricted generic codec, so the bytes of any node could have it construct any
 * record class they name. Right: without the machine, replies are read as plain values; one naming a class is
 * refused before the class is loaded, and the process is told its reply could not be decoded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnknownClusterReplyClassesTest
{
    private static final ServerId LEADER = new ServerId("forging", "a");

    /** Constructions of the record below. */
    static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    /** A record on the receiving node's class path that nothing there uses. */
    record Tripwire(String value)
    {
        Tripwire
        {
            CONSTRUCTED.incrementAndGet();
        }
    }

    @Test
    void aNoticeFromAClusterUnknownHereBuildsNoRecordItsReplyNames() throws Exception
    {
        final byte[] forged = Codecs.generic().toBytes(new Tripwire("planted"));
        try (InJvmNetwork network = new InJvmNetwork();
            RaSystem a = RaSystem.builder().nodeId("a").transport(network.newTransport())
                .storage(new InMemoryStorage()).build();
            RaSystem b = RaSystem.builder().nodeId("b").transport(network.newTransport())
                .storage(new InMemoryStorage()).build())
        {
            a.startCluster("forging", new ForgingReplies(forged), List.of(LEADER));
            final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            try (RaProcess inbox = b.spawn(received::add))
            {
                CONSTRUCTED.set(0);
                // Node a pipelines the command; its notice goes to a process of node b, which knows no such cluster.
                a.pipelineCommand(LEADER, 1L, "c1", inbox.ref());
                final RaEvent.Applied applied = (RaEvent.Applied)received.poll(30, TimeUnit.SECONDS);

                assertThat(CONSTRUCTED).as("constructions of the record the reply named").hasValue(0);
                assertThat(applied.applied()).singleElement().satisfies(reply ->
                {
                    assertThat(reply.correlation()).isEqualTo("c1");
                    assertThat(String.valueOf(reply.reply())).contains(Tripwire.class.getName());
                });
            }
        }
    }

    /**
     * A command sent through the runtime to a cluster this node does not know (encoded by the caller) had its reply
     * read with the unrestricted generic codec too; now as plain values, the call failing as a reply not decodable.
     */
    @Test
    void aCallToAClusterUnknownHereBuildsNoRecordItsReplyNames() throws Exception
    {
        final byte[] forged = Codecs.generic().toBytes(new Tripwire("planted"));
        try (InJvmNetwork network = new InJvmNetwork();
            RaSystem a = RaSystem.builder().nodeId("a").transport(network.newTransport())
                .storage(new InMemoryStorage()).build();
            RaRuntime b = new RaRuntime(new RuntimeConfig("b", network.newTransport(), new InMemoryStorage(), 1,
                Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true)))
        {
            b.start();
            a.startCluster("forging", new ForgingReplies(forged), List.of(LEADER));
            CONSTRUCTED.set(0);
            final ServerRequest.Command command = new ServerRequest.Command(UserCommand.ofData(Bytes.wrap(
                Codecs.int64().toBytes(1L))));

            final CompletableFuture<Object> call = b.call(LEADER, command, Duration.ofSeconds(30));

            assertThatThrownBy(() -> call.get(60, TimeUnit.SECONDS)).hasMessageContaining(Tripwire.class.getName());
            assertThat(CONSTRUCTED).as("constructions of the record the reply named").hasValue(0);
        }
    }

    /** A counter whose every reply is written as the given bytes: a node that writes what it likes. */
    private static final class ForgingReplies implements StateMachine<Long, Long>
    {
        private final CounterMachine counter = new CounterMachine();
        private final byte[] forged;

        ForgingReplies(final byte[] forged)
        {
            this.forged = forged;
        }

        @Override
        public Long init(final InitArgs args)
        {
            return counter.init(args);
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long command, final Long state)
        {
            return counter.apply(meta, command, state);
        }

        @Override
        public Class<Long> commandType()
        {
            return counter.commandType();
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return counter.commandCodec();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return counter.stateCodec();
        }

        @Override
        public Codec<Object> replyCodec()
        {
            return new Codec<>()
            {
                @Override
                public void encode(final Object value, final BufferWriter out)
                {
                    out.writeRaw(forged, 0, forged.length);
                }

                @Override
                public Object decode(final BufferReader in)
                {
                    throw new UnsupportedOperationException("only written");
                }
            };
        }
    }
}
