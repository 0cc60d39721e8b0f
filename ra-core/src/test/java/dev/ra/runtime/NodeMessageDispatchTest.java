package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every kind of node message is handled by the runtime (Java 17 cannot check a sealed hierarchy's exhaustiveness in
 * an instanceof chain, so this test does).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeMessageDispatchTest
{
    private static final ServerId SERVER = new ServerId("s", "n1");
    private static final ServerId PEER = new ServerId("s", "n2");
    private static final ProcessRef PROCESS = new ProcessRef("n1", 1);

    private static List<NodeMessage> oneOfEach()
    {
        return List.of(
            new NodeMessage.RaftMessage(PEER, SERVER, new RaftRpc.HeartbeatReply(1, 1)),
            new NodeMessage.ServerCall(1, SERVER, new ServerRequest.Members()),
            new NodeMessage.CallReply(1, NodeMessage.CallStatus.OK, Bytes.EMPTY, null, null, ""),
            new NodeMessage.CommandCast(SERVER, UserCommand.ofData(Bytes.wrap(new byte[] {1})), null, null, 0),
            new NodeMessage.ProcessMessage(PROCESS, null, Bytes.wrap(Codecs.generic().toBytes("hi"))),
            new NodeMessage.AppliedNotice(PROCESS, PEER, List.of("c"), List.of(Bytes.wrap(
                Codecs.generic().toBytes("r")))),
            new NodeMessage.FailedNotice(PROCESS, PEER, List.of(new FailedCommand("c", FailedCommand.Kind.REFUSED,
                null, "refused", 0))),
            new NodeMessage.RejectedNotice(PROCESS, PEER, null, "c"),
            new NodeMessage.MonitorProcess(PROCESS, PEER),
            new NodeMessage.DemonitorProcess(PROCESS, PEER),
            new NodeMessage.ProcessDown(new ProcessRef("n2", 1), DownReason.NORMAL, SERVER),
            new NodeMessage.ServerDown(PEER, SERVER),
            new NodeMessage.StartServer(1, "c", "no.such.Machine", SERVER, List.of(SERVER), JoinPoint.NONE));
    }

    @Test
    void theSamplesCoverEveryPermittedNodeMessage()
    {
        final Set<Class<?>> sampled = oneOfEach().stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(sampled).containsExactlyInAnyOrderElementsOf(Arrays.asList(
            NodeMessage.class.getPermittedSubclasses()));
    }

    @Test
    void everyNodeMessageIsHandled()
    {
        try (InJvmNetwork network = new InJvmNetwork();
            InMemoryStorage storage = new InMemoryStorage();
            RaRuntime runtime = new RaRuntime(new RuntimeConfig("n1", network.newTransport(), storage, 1,
                Duration.ofSeconds(1), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(1),
                Duration.ofMillis(2), 16,
                Map.of(), Map.of(), null, true)))
        {
            runtime.start();
            for (final NodeMessage message : oneOfEach())
            {
                assertThatCode(() -> runtime.receive("n2", message)).as(message.toString())
                    .doesNotThrowAnyException();
            }
        }
    }
}
