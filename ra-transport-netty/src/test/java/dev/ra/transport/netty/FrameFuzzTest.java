package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.CodecException;
import dev.ra.protocol.NodeMessage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input against a live node: over 100,000 random and mutated frames (garbage before the handshake, broken
 * handshakes, valid headers with broken bodies, wrong and huge lengths, unknown types and versions, out-of-protocol
 * frames after a valid handshake) sent over loopback to one node of a committing three-node cluster. The node must
 * stay up, its cluster must keep committing, and nothing the fuzzer sent may change any state: the machine holds
 * exactly what the legitimate client wrote.
 *
 * <p>A node closes a connection at its first bad frame, so each frame goes on a fresh connection (from rotating
 * 127.0.0.x source addresses, closed with a reset, so that no ephemeral ports run out).
 */
class FrameFuzzTest
{
    private static final int FRAMES = Integer.getInteger("ra.fuzz.frames", 100_000);
    private static final int THREADS = 16;
    private static final String FUZZER = "fuzzer";

    @Test
    @Timeout(value = 240, unit = java.util.concurrent.TimeUnit.SECONDS)
    void aLiveNodeSurvivesRandomAndMutatedFramesWithoutAnyStateChange() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(3, b -> b.allowNode(FUZZER));
        try (InJvmCluster cluster = new InJvmCluster(3, transports, b -> { }))
        {
            transports.awaitConnected(Duration.ofSeconds(20));
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(20));
            final InetSocketAddress target = transports.addresses().get(leader.node());
            final NettyTransport targetTransport = transports.transport(leader.node());
            final long termBefore = cluster.system(leader).overview(leader).currentTerm();

            // A legitimate client keeps committing throughout.
            final AtomicBoolean fuzzing = new AtomicBoolean(true);
            final AtomicInteger written = new AtomicInteger();
            final java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
            final Thread writer = new Thread(() ->
            {
                final RaSystem system = cluster.system("n2");
                while (fuzzing.get() && written.get() < 1_000_000)
                {
                    final String key = "k" + written.getAndIncrement();
                    try
                    {
                        system.processCommand(members.get(1), new KvMachine.Put(key, "v"));
                        acknowledged.add(key);
                    }
                    catch (final RuntimeException ex)
                    {
                        // Outcome unknown (timeout): the key may or may not be there; checked below.
                    }
                }
            }, "legitimate-writer");
            writer.start();

            final List<NodeMessage> samples = sampleMessages();
            final AtomicLong sent = new AtomicLong();
            final AtomicLong closedByNode = new AtomicLong();
            final List<Thread> fuzzers = new ArrayList<>();
            final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                final Thread fuzzer = new Thread(() ->
                {
                    try
                    {
                        new Fuzzer(new SplittableRandom(1234 + thread), target, leader.node(), samples, thread)
                            .run(FRAMES / THREADS, sent, closedByNode);
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }, "fuzzer-" + t);
                fuzzers.add(fuzzer);
                fuzzer.start();
            }
            final long startNanos = System.nanoTime();
            for (final Thread fuzzer : fuzzers)
            {
                fuzzer.join();
            }
            System.out.printf("fuzz: %d frames in %d ms, %d connections closed by the node%n", sent.get(),
                (System.nanoTime() - startNanos) / 1_000_000, closedByNode.get());
            final int committedWhileFuzzing = acknowledged.size();
            fuzzing.set(false);
            writer.join();

            assertThat(failures).isEmpty();
            assertThat(sent.get()).isGreaterThanOrEqualTo(FRAMES);
            assertThat(closedByNode.get()).as("connections the node closed").isPositive();
            assertThat(committedWhileFuzzing).as("commands committed while fuzzing").isPositive();
            // Every connection the node closed was a rejected frame, a refused handshake, or (the fuzzer dials many
            // connections under one node id) an older one replaced by its dialer's newer one; some slack for resets
            // that race.
            final TransportStats stats = targetTransport.stats();
            assertThat(stats.framesRejected() + stats.connectionsRefused() + stats.connectionsReplaced())
                .isGreaterThanOrEqualTo(closedByNode.get() * 9 / 10);

            // Nothing changed state: the leader still leads in the same term, the machine holds exactly what the
            // legitimate writer wrote, and every member agrees.
            final ServerOverview after = cluster.system(leader).overview(leader);
            assertThat(after.currentTerm()).isEqualTo(termBefore);
            final Map<String, String> reference = cluster.system(leader).<Map<String, String>, Map<String, String>>
                consistentQuery(leader, s -> s).result();
            assertThat(reference.keySet()).containsAll(acknowledged);
            for (final String key : reference.keySet())
            {
                assertThat(Integer.parseInt(key.substring(1))).as("only keys the writer wrote").isBetween(0,
                    written.get() - 1);
            }
            for (final ServerId member : members)
            {
                InJvmCluster.await(() -> reference.equals(cluster.system(member).<Map<String, String>,
                    Map<String, String>>localQuery(member, s -> s).result()), Duration.ofSeconds(20),
                    member + " to hold the same state");
            }
            assertThat(cluster.system(leader).isRunning(leader)).isTrue();
        }
    }

    private static List<NodeMessage> sampleMessages()
    {
        return WireCodecProperties.messages().samples(1234, 300);
    }

    /**
     * One fuzzing thread: each round opens a connection, optionally completes a valid handshake as the allowed
     * client node {@code fuzzer}, sends one bad frame (sometimes followed by more) and waits for the node to close.
     */
    private static final class Fuzzer
    {
        private final SplittableRandom random;
        private final InetSocketAddress target;
        private final String targetNode;
        private final List<NodeMessage> samples;
        private final int thread;
        private int round;

        Fuzzer(final SplittableRandom random, final InetSocketAddress target, final String targetNode,
            final List<NodeMessage> samples, final int thread)
        {
            this.random = random;
            this.target = target;
            this.targetNode = targetNode;
            this.samples = samples;
            this.thread = thread;
        }

        void run(final int frames, final AtomicLong sent, final AtomicLong closedByNode) throws IOException
        {
            int done = 0;
            while (done < frames)
            {
                round++;
                try (Socket socket = new Socket())
                {
                    // Rotate source addresses so that closed connections never exhaust ephemeral ports.
                    socket.bind(new InetSocketAddress("127." + (1 + thread) + "." + (round / 250 % 250) + "." +
                        (2 + round % 250), 0));
                    socket.setSoLinger(true, 0);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(2000);
                    socket.connect(target, 2000);
                    final OutputStream out = socket.getOutputStream();
                    final InputStream in = socket.getInputStream();
                    final boolean handshake = random.nextInt(100) < 45;
                    if (handshake)
                    {
                        out.write(frame(FrameFormat.HELLO, hello("test", FUZZER, targetNode)));
                        readFrame(in);
                    }
                    final byte[][] bad = badFrames(handshake);
                    for (final byte[] frame : bad)
                    {
                        out.write(frame);
                    }
                    out.flush();
                    done += bad.length;
                    sent.addAndGet(bad.length);
                    if (endsIncomplete(bad))
                    {
                        // The node rightly waits for the rest of a frame; reset instead of waiting.
                        continue;
                    }
                    if (awaitClose(in))
                    {
                        closedByNode.incrementAndGet();
                    }
                }
                catch (final java.net.SocketException ex)
                {
                    // The node reset the connection while we were still writing: that is a close too.
                    closedByNode.incrementAndGet();
                }
            }
        }

        /**
         * Whether the stream of frames ends inside a frame that is neither complete nor rejectable by its length
         * alone, so the node would wait for more bytes.
         */
        private static boolean endsIncomplete(final byte[][] frames)
        {
            final java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (final byte[] f : frames)
            {
                all.writeBytes(f);
            }
            final byte[] stream = all.toByteArray();
            int at = 0;
            while (at < stream.length)
            {
                if (stream.length - at < 4)
                {
                    return true;
                }
                final int length = ((stream[at] & 0xFF) << 24) | ((stream[at + 1] & 0xFF) << 16) |
                    ((stream[at + 2] & 0xFF) << 8) | (stream[at + 3] & 0xFF);
                if (length < 2 || length > 16 * 1024 * 1024 + 2)
                {
                    return false;
                }
                if (stream.length - at - 4 < length)
                {
                    return true;
                }
                at += 4 + length;
            }
            return false;
        }

        private boolean awaitClose(final InputStream in) throws IOException
        {
            try
            {
                final byte[] sink = new byte[256];
                for (int i = 0; i < 64; i++)
                {
                    if (in.read(sink) < 0)
                    {
                        return true;
                    }
                }
                return false;
            }
            catch (final SocketTimeoutException ex)
            {
                // A frame announcing more bytes than were sent: the node rightly waits; we give up and reset.
                return false;
            }
        }

        private static byte[] readFrame(final InputStream in) throws IOException
        {
            final DataInputStream data = new DataInputStream(in);
            try
            {
                final int length = data.readInt();
                if (length < 0 || length > 4096)
                {
                    return new byte[0];
                }
                final byte[] body = new byte[length];
                data.readFully(body);
                return body;
            }
            catch (final EOFException | SocketTimeoutException ex)
            {
                return new byte[0];
            }
        }

        private byte[][] badFrames(final boolean afterHandshake)
        {
            final int kind = random.nextInt(afterHandshake ? 12 : 8);
            switch (kind)
            {
                case 0:
                    return new byte[][] {randomBytes(1 + random.nextInt(64))};
                case 1:
                    // Huge length: refused before anything is buffered.
                    return new byte[][] {withLength(0x7FFF_FFF0 - random.nextInt(1 << 20), 16)};
                case 2:
                    // A length too small for the header.
                    return new byte[][] {withLength(random.nextInt(2), random.nextInt(2))};
                case 3:
                    return new byte[][] {rawFrame(random.nextInt(256), random.nextInt(256), randomBytes(
                        random.nextInt(40)))};
                case 4:
                    // A broken HELLO body.
                    return new byte[][] {frame(FrameFormat.HELLO, mutate(hello("test", FUZZER, "n1")))};
                case 5:
                    // A HELLO for another deployment or from an unknown node.
                    return new byte[][] {frame(FrameFormat.HELLO, random.nextBoolean() ? hello("other", FUZZER,
                        "n1") : hello("test", "intruder-" + random.nextInt(1000), "n1"))};
                case 6:
                    // A message before the handshake.
                    return new byte[][] {frame(FrameFormat.MESSAGE, encode(pick()))};
                case 7:
                    // Several garbage frames in a row.
                    return new byte[][] {randomBytes(8), randomBytes(16), randomBytes(32)};
                case 8:
                    // A valid header with a broken body.
                    return new byte[][] {frame(FrameFormat.MESSAGE, brokenBody())};
                case 9:
                    // A wrong (smaller) length: the node reads part of the body as a frame.
                {
                    final byte[] body = encode(pick());
                    final byte[] f = frame(FrameFormat.MESSAGE, body);
                    final int wrong = Math.max(2, body.length / 2);
                    f[0] = (byte)(wrong >>> 24);
                    f[1] = (byte)(wrong >>> 16);
                    f[2] = (byte)(wrong >>> 8);
                    f[3] = (byte)wrong;
                    return new byte[][] {f};
                }
                case 10:
                    // Out of protocol after the handshake: another HELLO, a WELCOME, an unknown type.
                    return new byte[][] {frame(new int[] {FrameFormat.HELLO, FrameFormat.WELCOME, 0, 6, 200}[
                        random.nextInt(5)], hello("test", FUZZER, "n1"))};
                default:
                    // A message body under a wrong frame version, or a heartbeat with a body.
                    return new byte[][] {random.nextBoolean() ? rawFrame(2 + random.nextInt(250),
                        FrameFormat.MESSAGE, encode(pick())) : frame(FrameFormat.HEARTBEAT, randomBytes(3))};
            }
        }

        private byte[] brokenBody()
        {
            for (int attempt = 0; attempt < 20; attempt++)
            {
                final byte[] body = mutate(encode(pick()));
                try
                {
                    WireCodec.INSTANCE.decode(new BufferReader(body));
                }
                catch (final CodecException expected)
                {
                    return body;
                }
            }
            return new byte[] {(byte)250};
        }

        private NodeMessage pick()
        {
            return samples.get(random.nextInt(samples.size()));
        }

        private byte[] mutate(final byte[] data)
        {
            final byte[] out = random.nextInt(4) == 0 ? Arrays.copyOf(data, random.nextInt(data.length + 1)) :
                data.clone();
            final int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips && out.length > 0; i++)
            {
                out[random.nextInt(out.length)] = (byte)random.nextInt(256);
            }
            return out;
        }

        private byte[] randomBytes(final int length)
        {
            final byte[] out = new byte[length];
            for (int i = 0; i < length; i++)
            {
                out[i] = (byte)random.nextInt(256);
            }
            return out;
        }

        private static byte[] withLength(final int length, final int bodyBytes)
        {
            final byte[] out = new byte[4 + bodyBytes];
            out[0] = (byte)(length >>> 24);
            out[1] = (byte)(length >>> 16);
            out[2] = (byte)(length >>> 8);
            out[3] = (byte)length;
            return out;
        }

        private static byte[] encode(final NodeMessage message)
        {
            final BufferWriter out = new BufferWriter(64);
            WireCodec.INSTANCE.encode(message, out);
            return out.toByteArray();
        }

        private static byte[] hello(final String clusterId, final String node, final String expected)
        {
            final BufferWriter out = new BufferWriter(64);
            Handshake.of(clusterId, node, expected).encode(out);
            return out.toByteArray();
        }

        private static byte[] frame(final int type, final byte[] body)
        {
            return rawFrame(FrameFormat.VERSION, type, body);
        }

        private static byte[] rawFrame(final int version, final int type, final byte[] body)
        {
            final BufferWriter out = new BufferWriter(body.length + 6);
            out.writeInt(body.length + 2).writeByte(version).writeByte(type).writeRaw(body, 0, body.length);
            return out.toByteArray();
        }
    }
}
