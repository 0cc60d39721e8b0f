package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.protocol.NodeMessage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node played by a test over plain blocking sockets on 127.0.0.1, speaking the frame protocol by hand, so that the
 * test decides exactly when each handshake frame of each connection is sent (a real node races its event loops).
 * It listens like a node, dials like a node, and reads and writes frames on whichever connection the test names.
 *
 * <p>Once a connection's handshake is done, a background thread sends a heartbeat on it every 50 ms, so that the real
 * node's failure detector never closes it however slowly the test runs. Heartbeats are not messages: they neither
 * keep a superseded connection in use nor change anything else the tests look at.
 */
final class ScriptedPeer implements AutoCloseable
{
    /** How long {@link #readMessage} reads heartbeats before it gives up on a message. */
    static final Duration MESSAGE_WAIT = Duration.ofSeconds(30);

    /** A frame as read: its type and body. */
    record Frame(int type, byte[] body)
    {
    }

    private final String node;
    private final String clusterId;
    private final ServerSocket listener;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Socket> keptAlive = new CopyOnWriteArrayList<>();
    private final Thread heartbeats;
    private volatile boolean closed;

    ScriptedPeer(final String node, final String clusterId)
    {
        this.node = node;
        this.clusterId = clusterId;
        try
        {
            listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        heartbeats = new Thread(this::sendHeartbeats, "scripted-" + node + "-heartbeats");
        heartbeats.setDaemon(true);
        heartbeats.start();
    }

    private void sendHeartbeats()
    {
        while (!closed)
        {
            for (final Socket socket : keptAlive)
            {
                try
                {
                    send(socket, FrameFormat.HEARTBEAT, new byte[0]);
                }
                catch (final IOException ex)
                {
                    keptAlive.remove(socket);
                }
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    String node()
    {
        return node;
    }

    InetSocketAddress address()
    {
        return (InetSocketAddress)listener.getLocalSocketAddress();
    }

    /**
     * Accept the next connection the real node dials to this peer.
     */
    Socket acceptDial(final Duration timeout) throws IOException
    {
        listener.setSoTimeout((int)timeout.toMillis());
        return track(listener.accept());
    }

    /**
     * Open a connection to the real node (no frame sent yet).
     */
    Socket dial(final InetSocketAddress target) throws IOException
    {
        final Socket socket = track(new Socket());
        socket.connect(target, 5_000);
        return socket;
    }

    private Socket track(final Socket socket) throws SocketException
    {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        synchronized (sockets)
        {
            sockets.add(socket);
        }
        return socket;
    }

    void sendHello(final Socket socket, final String expectedPeer) throws IOException
    {
        send(socket, FrameFormat.HELLO, handshake(expectedPeer));
    }

    /**
     * Ask for a caller connection instead of a peer link. No heartbeats are sent on it: a caller connection carries
     * only calls.
     */
    void sendCallerHello(final Socket socket, final String expectedPeer) throws IOException
    {
        send(socket, FrameFormat.CALLER_HELLO, handshake(expectedPeer));
    }

    /**
     * Answer the real node's HELLO: the connection is established (and kept alive from now on).
     */
    void sendWelcome(final Socket socket, final String expectedPeer) throws IOException
    {
        send(socket, FrameFormat.WELCOME, handshake(expectedPeer));
        keptAlive.add(socket);
    }

    /**
     * Read the real node's answer to this peer's HELLO, which must be WELCOME: the connection is established (and kept
     * alive from now on).
     */
    Handshake awaitWelcome(final Socket socket) throws IOException
    {
        final Handshake welcome = readHandshake(socket, FrameFormat.WELCOME);
        keptAlive.add(socket);
        return welcome;
    }

    void sendMessage(final Socket socket, final NodeMessage message) throws IOException
    {
        final BufferWriter body = new BufferWriter(64);
        WireCodec.INSTANCE.encode(message, body);
        send(socket, FrameFormat.MESSAGE, body.toByteArray());
    }

    /**
     * Leave in order, as a closing node does: GOODBYE (no body) on the connection.
     */
    void sendGoodbye(final Socket socket) throws IOException
    {
        send(socket, FrameFormat.GOODBYE, new byte[0]);
    }

    /**
     * A handshake body of a node speaking protocol versions {@code oldest} to {@code newest}, as a later release would
     * write it.
     */
    byte[] rangedHandshake(final String expectedPeer, final int oldest, final int newest)
    {
        final BufferWriter body = new BufferWriter(64);
        new Handshake(clusterId, node, expectedPeer, oldest, newest, true, null, null, 0).encode(body);
        return body.toByteArray();
    }

    /**
     * Send any frame, handcrafted by the test.
     */
    static void sendFrame(final Socket socket, final int type, final byte[] body) throws IOException
    {
        send(socket, type, body);
    }

    /**
     * Keep a connection alive from now on (heartbeats), as {@link #sendWelcome} does.
     */
    void keepAlive(final Socket socket)
    {
        keptAlive.add(socket);
    }

    private byte[] handshake(final String expectedPeer)
    {
        final BufferWriter body = new BufferWriter(64);
        Handshake.of(clusterId, node, expectedPeer).withoutRange().encode(body);
        return body.toByteArray();
    }

    private static void send(final Socket socket, final int type, final byte[] body) throws IOException
    {
        final BufferWriter frame = new BufferWriter(body.length + 6);
        frame.writeInt(body.length + FrameFormat.HEADER_BYTES).writeByte(FrameFormat.VERSION).writeByte(type)
            .writeRaw(body, 0, body.length);
        // Whole frames only: the heartbeat thread writes to the same sockets.
        synchronized (socket)
        {
            socket.getOutputStream().write(frame.toByteArray());
            socket.getOutputStream().flush();
        }
    }

    /**
     * Read the next frame (blocking up to the socket's timeout).
     */
    static Frame readFrame(final Socket socket) throws IOException
    {
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final int length = in.readInt();
        final int version = in.readUnsignedByte();
        if (version != FrameFormat.VERSION)
        {
            throw new IOException("frame version " + version);
        }
        final int type = in.readUnsignedByte();
        final byte[] body = new byte[length - FrameFormat.HEADER_BYTES];
        in.readFully(body);
        return new Frame(type, body);
    }

    static Handshake readHandshake(final Socket socket, final int expectedType) throws IOException
    {
        final Frame frame = readFrame(socket);
        if (frame.type() != expectedType)
        {
            throw new IOException("expected frame type " + expectedType + ", got " + frame.type());
        }
        return Handshake.decode(new BufferReader(frame.body()));
    }

    /**
     * The next message on the connection, skipping heartbeats; fails after {@link #MESSAGE_WAIT} of heartbeats only
     * (each heartbeat would otherwise restart the socket's timeout, and a missing message hang the test).
     */
    static NodeMessage readMessage(final Socket socket) throws IOException
    {
        final long deadline = System.nanoTime() + MESSAGE_WAIT.toNanos();
        while (true)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IOException("no message within " + MESSAGE_WAIT + ", only heartbeats");
            }
            final Frame frame = readFrame(socket);
            if (frame.type() == FrameFormat.MESSAGE)
            {
                return WireCodec.INSTANCE.decode(new BufferReader(frame.body()));
            }
            if (frame.type() != FrameFormat.HEARTBEAT)
            {
                throw new IOException("unexpected frame type " + frame.type());
            }
        }
    }

    /**
     * Wait until the real node closes a connection, reading and discarding its heartbeats there; a message there is an
     * error (the node must not send on a connection it no longer uses).
     *
     * @return whether the node closed it within the timeout.
     */
    static boolean awaitClosedByNode(final Socket socket, final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        socket.setSoTimeout(50);
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                final Frame frame = readFrame(socket);
                if (frame.type() != FrameFormat.HEARTBEAT)
                {
                    throw new AssertionError("the node sent frame type " + frame.type() +
                        " on a connection it no longer uses");
                }
            }
            catch (final SocketTimeoutException ex)
            {
                // Nothing from the node in this slice: look again.
            }
            catch (final EOFException | SocketException ex)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close()
    {
        closed = true;
        heartbeats.interrupt();
        synchronized (sockets)
        {
            for (final Socket socket : sockets)
            {
                quietlyClose(socket);
            }
        }
        try
        {
            listener.close();
        }
        catch (final IOException ignored)
        {
            // Closing a test listener: nothing to do.
        }
    }

    static void quietlyClose(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Closing a test socket: nothing to do.
        }
    }
}
