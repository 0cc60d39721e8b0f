package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.runtime.memory.InMemoryStorage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

    private static RaSystem node(final String id, final LoopbackTransports transports)
    {
        return RaSystem.builder().nodeId(id).transport(transports.newTransport(id)).storage(new InMemoryStorage())
            .eventLoops(1).build();
    }
}
