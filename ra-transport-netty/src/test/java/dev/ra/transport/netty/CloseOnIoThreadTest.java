package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.LoopHost;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NettyTransport#close()} called on one of the transport's own I/O threads (from a callback it runs, or from a
 * server hosted there) must neither wait for what that thread itself has to do nor fail: it says goodbye to its peers,
 * frees its port and ends its threads all the same.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseOnIoThreadTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void closeOnTheOnlyIoThreadSaysGoodbyeFreesThePortAndEndsTheThread() throws Exception
    {
        final String node = "selfclose";
        try (ScriptedPeer b = new ScriptedPeer("b", "test"))
        {
            final NettyTransport transport = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .listenAddress(new InetSocketAddress("127.0.0.1", 0)).peer("b", b.address()).ioThreads(1)
                .handshakeTimeout(Duration.ofSeconds(60)).failureTimeout(Duration.ofSeconds(60)).build());
            final List<LoopHost> hosts = transport.loopHosts(node, 1);
            transport.start(node, new Ignoring());
            final int port = transport.localAddress().getPort();
            final Socket connection = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(connection, FrameFormat.HELLO);
            b.sendWelcome(connection, node);
            InJvmCluster.await(() -> transport.isReachable("b"), WAIT, "the connection to b");

            final CompletableFuture<Throwable> closed = new CompletableFuture<>();
            final CompletableFuture<Thread> ioThread = new CompletableFuture<>();
            hosts.get(0).execute(() ->
            {
                ioThread.complete(Thread.currentThread());
                try
                {
                    transport.close();
                    closed.complete(null);
                }
                catch (final Throwable ex)
                {
                    closed.complete(ex);
                }
            });

            // Not a timing: whether close() ever parks its thread to wait for something (the end of its own event
            // loop, which cannot come while it waits) rather than starting it and returning.
            final String waited = waitInClose(ioThread.get(WAIT.toSeconds(), TimeUnit.SECONDS), closed);
            assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close() on the I/O thread").isNull();
            assertThat(waited).as("close() on an I/O thread waited on that thread's own work").isNull();
            assertThat(awaitGoodbye(connection)).as("the peer is told the node leaves").isTrue();
            InJvmCluster.await(() -> threadsOf(node).isEmpty(), WAIT, "the transport's threads to end");
            try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress()))
            {
                assertThat(again.getLocalPort()).as("the listening port is free again").isEqualTo(port);
            }
        }
    }

    /**
     * Watch the thread until close() returns on it.
     *
     * @return a frame at which close() was found waiting on a future, or null if it never was.
     */
    private static String waitInClose(final Thread thread, final CompletableFuture<Throwable> closed)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!closed.isDone() && System.nanoTime() - deadline < 0)
        {
            final StackTraceElement[] stack = thread.getStackTrace();
            boolean inClose = false;
            String waiting = null;
            for (final StackTraceElement frame : stack)
            {
                inClose |= frame.getClassName().equals(NettyTransport.class.getName()) &&
                    frame.getMethodName().equals("close");
                if (frame.getMethodName().startsWith("await") && frame.getClassName().startsWith("io.netty."))
                {
                    waiting = frame.toString();
                }
            }
            if (inClose && null != waiting)
            {
                return waiting;
            }
            Thread.sleep(1);
        }
        return null;
    }

    private static boolean awaitGoodbye(final Socket connection) throws IOException
    {
        for (int frames = 0; frames < 10_000; frames++)
        {
            final int type = ScriptedPeer.readFrame(connection).type();
            if (type == FrameFormat.GOODBYE)
            {
                return true;
            }
        }
        return false;
    }

    private static List<Thread> threadsOf(final String node)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("ra-" + node + "-")).toList();
    }

    /** Hears nothing the test looks at. */
    private static final class Ignoring implements TransportListener
    {
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
    }
}
