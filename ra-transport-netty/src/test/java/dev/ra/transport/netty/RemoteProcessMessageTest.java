package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.runtime.memory.InMemoryStorage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link RaSystem#send} from application code to a process on another node: the message has no sending server (no
 * machine's effect sent it), which the wire format and the sender check must accept.
 */
class RemoteProcessMessageTest
{
    @Test
    void applicationCodeReachesAProcessOnAnotherNode() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        try (RaSystem n1 = node("n1", transports); RaSystem n2 = node("n2", transports))
        {
            transports.awaitConnected(Duration.ofSeconds(20));
            final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            try (RaProcess inbox = n2.spawn(received::add))
            {
                n1.send(inbox.ref(), List.of("hello", 42L));
                assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo(List.of("hello", 42L));
                assertThat(transports.transport("n2").stats().framesRejected()).isZero();
            }
        }
    }

    /** Constructions of {@link Tripwire}, on any node of this JVM. */
    static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    /** A record whose construction is seen. */
    record Tripwire(String value)
    {
        Tripwire
        {
            CONSTRUCTED.incrementAndGet();
        }
    }

    /**
     * A message for a process that does not exist on the receiving node was decoded before it was dropped: the bytes
     * from any node could have that node construct any record class they name (in the generic codec, for a message no
     * machine sent). Right: it is dropped undecoded, and one for a process that exists is delivered as before.
     */
    @Test
    void aMessageForNoProcessIsDroppedWithoutDecodingIt() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        try (RaSystem n1 = node("n1", transports); RaSystem n2 = node("n2", transports))
        {
            transports.awaitConnected(Duration.ofSeconds(20));
            final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            try (RaProcess inbox = n2.spawn(received::add))
            {
                final Tripwire tripwire = new Tripwire("x");
                final int constructed = CONSTRUCTED.get();
                n1.send(new ProcessRef("n2", inbox.ref().id() + 1_000_000), tripwire);
                // Sent after it on the same connection, and handled after it.
                n1.send(inbox.ref(), tripwire);
                assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo(tripwire);
                assertThat(CONSTRUCTED.get()).as("records built on n2").isEqualTo(constructed + 1);
            }
        }
    }

    private static RaSystem node(final String id, final LoopbackTransports transports)
    {
        return RaSystem.builder().nodeId(id).transport(transports.newTransport(id)).storage(new InMemoryStorage())
            .eventLoops(1).build();
    }
}
