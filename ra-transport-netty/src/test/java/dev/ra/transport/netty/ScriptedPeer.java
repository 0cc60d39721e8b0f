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

/**
 * A node played by a test over plain blocking sockets on 127.0.0.1, speaking the frame protocol by hand, so that the
 * test decides exactly when each handshake frame of each connection is sent (a real node races its event loops).
 * It listens like a node, dials like a node, and reads and writes frames on whichever connection the test names.
 */
final class ScriptedPeer implements AutoCloseable
{
    /** A frame as read: its type and body. */
    record Frame(int type, byte[] body)
    {
    }

    private final String node;
    private final String clusterId;
    private final ServerSocket listener;
    private final List<Socket> sockets = new ArrayList<>();

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

    void sendWelcome(final Socket socket, final String expectedPeer) throws IOException
    {
        send(socket, FrameFormat.WELCOME, handshake(expectedPeer));
    }

    void sendHeartbeat(final Socket socket) throws IOException
    {
        send(socket, FrameFormat.HEARTBEAT, new byte[0]);
    }

    void sendMessage(final Socket socket, final NodeMessage message) throws IOException
    {
        final BufferWriter body = new BufferWriter(64);
        WireCodec.INSTANCE.encode(message, body);
        send(socket, FrameFormat.MESSAGE, body.toByteArray());
    }

    private byte[] handshake(final String expectedPeer)
    {
        final BufferWriter body = new BufferWriter(64);
        new Handshake(clusterId, node, expectedPeer).encode(body);
        return body.toByteArray();
    }

    private static void send(final Socket socket, final int type, final byte[] body) throws IOException
    {
        final BufferWriter frame = new BufferWriter(body.length + 6);
        frame.writeInt(body.length + FrameFormat.HEADER_BYTES).writeByte(FrameFormat.VERSION).writeByte(type)
            .writeRaw(body, 0, body.length);
        socket.getOutputStream().write(frame.toByteArray());
        socket.getOutputStream().flush();
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
     * The next message on the connection, skipping heartbeats.
     */
    static NodeMessage readMessage(final Socket socket) throws IOException
    {
        while (true)
        {
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
     * Send heartbeats (and nothing else) on {@code watched} and on the {@code keepAlive} connections, so that no
     * failure detector closes them, until the real node closes {@code watched}; what it sends there is read and
     * discarded, and a message there is an error (the node must not use it).
     *
     * @return whether the node closed it within the timeout.
     */
    boolean heartbeatUntilClosed(final Socket watched, final List<Socket> keepAlive, final Duration timeout)
        throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        watched.setSoTimeout(50);
        try
        {
            while (System.nanoTime() - deadline < 0)
            {
                for (final Socket socket : keepAlive)
                {
                    sendHeartbeat(socket);
                }
                try
                {
                    sendHeartbeat(watched);
                    final Frame frame = readFrame(watched);
                    if (frame.type() != FrameFormat.HEARTBEAT)
                    {
                        throw new AssertionError("the node sent frame type " + frame.type() +
                            " on a connection it no longer uses");
                    }
                }
                catch (final SocketTimeoutException ex)
                {
                    // Nothing from the node in this slice: heartbeat again.
                }
                catch (final EOFException | SocketException ex)
                {
                    return true;
                }
            }
            return false;
        }
        finally
        {
            if (!watched.isClosed())
            {
                watched.setSoTimeout(10_000);
            }
        }
    }

    @Override
    public void close()
    {
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
