package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.CodecException;
import dev.ra.core.CallError;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every {@link NodeMessage} (and every {@link RaftRpc} and {@link ServerRequest} inside) survives the wire codec, with
 * values at the edges (0, 1, {@code Long.MAX_VALUE}, empty and large byte strings, long names); and garbage never
 * decodes into anything but a {@link CodecException}.
 */
class WireCodecProperties
{
    // ----------------------------------------------------------------------------------------------------------------
    // Building blocks, biased towards boundaries (besides the edge cases every generator has)

    static Gen<Long> numbers()
    {
        return Gen.oneOf(Gen.of(0L, 1L, 127L, 128L, 16_383L, 16_384L, Integer.MAX_VALUE + 1L, Long.MAX_VALUE),
            Gen.longs(0, Long.MAX_VALUE));
    }

    static Gen<Long> anyLong()
    {
        return Gen.oneOf(Gen.of(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE), Gen.longs());
    }

    static Gen<Long> positive()
    {
        return Gen.oneOf(Gen.of(1L, 128L, Long.MAX_VALUE), Gen.longs(1, Long.MAX_VALUE));
    }

    static Gen<String> names()
    {
        final Gen<Character> chars = Gen.frequency(Gen.weight(26, Gen.chars('a', 'z')),
            Gen.weight(10, Gen.chars('0', '9')));
        return Gen.oneOf(Gen.strings(chars, 1, 12), Gen.of("x".repeat(255), "ü-ñ-名前", "n1"));
    }

    static Gen<ServerId> serverIds()
    {
        final Gen<String> names = names();
        return c -> new ServerId(names.next(c), names.next(c));
    }

    static Gen<ProcessRef> processes()
    {
        final Gen<String> names = names();
        final Gen<Long> positive = positive();
        return c -> new ProcessRef(names.next(c), positive.next(c));
    }

    static Gen<Bytes> bytes()
    {
        return Gen.oneOf(Gen.constant(Bytes.EMPTY),
            Gen.byteArrays(0, 300).map(Bytes::wrap),
            Gen.ints(65_536, 300_000).map(n -> Bytes.wrap(new byte[n])));
    }

    static Gen<Object> correlations()
    {
        return Gen.<Object>oneOf(Gen.constant(null), anyLong(),
            Gen.strings(Gen.unicode(), 0, 20),
            Gen.ints().map(i -> List.of(i, "c")));
    }

    static Gen<List<Member>> members()
    {
        final Gen<ServerId> ids = serverIds();
        final Gen<Membership> memberships = Gen.of(Membership.class);
        final Gen<Long> numbers = numbers();
        final Gen<Member> member = c -> new Member(ids.next(c), memberships.next(c), numbers.next(c));
        return member.list(0, 7);
    }

    static Gen<LogEntry> entries()
    {
        final Gen<ProcessRef> processes = processes();
        final Gen<DownReason> reasons = Gen.of(DownReason.class);
        final Gen<String> names = names();
        final Gen<EntryPayload> payloads = Gen.<EntryPayload>oneOf(
            bytes().map(UserCommand::ofData),
            Gen.ints(0, Integer.MAX_VALUE).map(EntryPayload.Noop::new),
            members().map(EntryPayload.ClusterChange::new),
            Gen.constant(new EntryPayload.DeleteCluster()),
            Gen.<BuiltinCommand>oneOf(
                c -> new BuiltinCommand.Down(processes.next(c), reasons.next(c)),
                names.map(BuiltinCommand.NodeUp::new),
                names.map(BuiltinCommand.NodeDown::new),
                names.map(BuiltinCommand.Timeout::new))
                .map(EntryPayload.Builtin::new));
        final Gen<Long> positive = positive();
        final Gen<Long> anyLong = anyLong();
        return c -> new LogEntry(positive.next(c), positive.next(c), anyLong.next(c), payloads.next(c));
    }

    static Gen<RaftRpc> rpcs()
    {
        final Gen<Long> n = numbers();
        final Gen<Long> positive = positive();
        final Gen<ServerId> ids = serverIds();
        final Gen<Boolean> flags = Gen.booleans();
        final Gen<List<LogEntry>> entries = entries().list(0, 5);
        final Gen<Integer> ints = Gen.ints();
        final Gen<List<Member>> members = members();
        final Gen<Integer> versions = Gen.ints(0, 1000);
        final Gen<Bytes> bytes = bytes();
        final Gen<SnapshotMeta> metas = c -> new SnapshotMeta(positive.next(c), positive.next(c), members.next(c),
            versions.next(c));
        return Gen.<RaftRpc>oneOf(
            c -> new RaftRpc.AppendEntriesRpc(n.next(c), ids.next(c), n.next(c), n.next(c), n.next(c),
                entries.next(c)),
            c -> new RaftRpc.AppendEntriesReply(n.next(c), flags.next(c), n.next(c), n.next(c), n.next(c)),
            c -> new RaftRpc.PreVoteRpc(n.next(c), n.next(c), ids.next(c), n.next(c), n.next(c), ints.next(c)),
            c -> new RaftRpc.PreVoteReply(n.next(c), n.next(c), flags.next(c)),
            c -> new RaftRpc.RequestVoteRpc(n.next(c), ids.next(c), n.next(c), n.next(c)),
            c -> new RaftRpc.RequestVoteReply(n.next(c), flags.next(c)),
            c -> new RaftRpc.HeartbeatRpc(n.next(c), ids.next(c), n.next(c)),
            c -> new RaftRpc.HeartbeatReply(n.next(c), n.next(c)),
            c -> new RaftRpc.InstallSnapshotRpc(n.next(c), ids.next(c), metas.next(c), n.next(c), bytes.next(c),
                flags.next(c)),
            c -> new RaftRpc.InstallSnapshotReply(n.next(c), n.next(c), n.next(c), flags.next(c)),
            c -> new RaftRpc.TimeoutNowRpc(n.next(c), ids.next(c)));
    }

    static Gen<ServerRequest> requests()
    {
        final Gen<ServerId> ids = serverIds();
        final Gen<Membership> memberships = Gen.of(Membership.class);
        final Gen<String> names = names();
        final Gen<Bytes> bytes = bytes();
        final Gen<Long> numbers = numbers();
        return Gen.<ServerRequest>oneOf(
            bytes.map(b -> new ServerRequest.Command(UserCommand.ofData(b))),
            c -> new ServerRequest.AddMember(ids.next(c), memberships.next(c)),
            ids.map(ServerRequest.RemoveMember::new),
            ids.map(ServerRequest.TransferLeadership::new),
            Gen.constant(new ServerRequest.TriggerElection()),
            Gen.constant(new ServerRequest.DeleteCluster()),
            Gen.constant(new ServerRequest.Members()),
            Gen.booleans().map(ServerRequest.ReadIndex::new),
            Gen.constant(new ServerRequest.Stop()),
            Gen.constant(new ServerRequest.ForceDelete()),
            numbers.map(n -> new ServerRequest.ForceDelete(Math.max(1, n))),
            numbers.map(n -> new ServerRequest.ForceDelete(Math.max(1, n), Math.max(1, n >>> 3))),
            c -> new ServerRequest.NamedQuery(names.next(c), bytes.next(c), numbers.next(c)),
            c -> new ServerRequest.ConfirmedNamedQuery(names.next(c), bytes.next(c)));
    }

    static Gen<NodeMessage> messages()
    {
        final Gen<ServerId> ids = serverIds();
        final Gen<ServerId> optionalServer = ids.orNull(0.3);
        final Gen<ProcessRef> processes = processes();
        final Gen<Long> anyLong = anyLong();
        final Gen<Bytes> bytes = bytes();
        final Gen<Object> correlations = correlations();
        final Gen<RaftRpc> rpcs = rpcs();
        final Gen<ServerRequest> requests = requests();
        final Gen<NodeMessage.CallStatus> statuses = Gen.of(NodeMessage.CallStatus.class);
        final Gen<CallError> errors = Gen.of(CallError.class).orNull(0.3);
        final Gen<String> replyTexts = Gen.strings(Gen.unicode(), 0, 50);
        final Gen<ProcessRef> optionalProcess = processes.orNull(0.3);
        final Gen<Integer> priorities = Gen.ints(0, Integer.MAX_VALUE);
        final Gen<List<List<Object>>> pairs = ((Gen<List<Object>>)c -> Arrays.asList(correlations.next(c),
            (Object)bytes.next(c))).list(0, 20);
        final Gen<DownReason> reasons = Gen.of(DownReason.class);
        final Gen<String> names = names();
        final Gen<String> machines = Gen.strings(Gen.unicode(), 0, 60);
        final Gen<List<ServerId>> idLists = ids.list(0, 7);
        final Gen<Long> positive = positive();
        final Gen<JoinPoint> joinPoints = Gen.oneOf(Gen.constant(JoinPoint.NONE),
            c -> new JoinPoint(positive.next(c), positive.next(c)));
        final Gen<List<FailedCommand>> failures = failedCommands().list(1, 8);
        return Gen.<NodeMessage>oneOf(
            c -> new NodeMessage.RaftMessage(ids.next(c), ids.next(c), rpcs.next(c)),
            c -> new NodeMessage.ServerCall(anyLong.next(c), ids.next(c), requests.next(c)),
            c -> new NodeMessage.CallReply(anyLong.next(c), statuses.next(c), bytes.next(c), optionalServer.next(c),
                errors.next(c), replyTexts.next(c)),
            c -> new NodeMessage.CommandCast(ids.next(c), UserCommand.ofData(bytes.next(c)),
                optionalProcess.next(c), correlations.next(c), priorities.next(c)),
            c -> new NodeMessage.ProcessMessage(processes.next(c), optionalServer.next(c), bytes.next(c)),
            c ->
            {
                final ProcessRef to = processes.next(c);
                final ServerId leader = ids.next(c);
                final List<List<Object>> drawn = pairs.next(c);
                return new NodeMessage.AppliedNotice(to, leader, correlationsOf(drawn),
                    drawn.stream().map(p -> (Bytes)p.get(1)).toList());
            },
            c -> new NodeMessage.FailedNotice(processes.next(c), ids.next(c), failures.next(c)),
            c -> new NodeMessage.RejectedNotice(processes.next(c), ids.next(c), optionalServer.next(c),
                correlations.next(c)),
            c -> new NodeMessage.MonitorProcess(processes.next(c), ids.next(c)),
            c -> new NodeMessage.DemonitorProcess(processes.next(c), ids.next(c)),
            c -> new NodeMessage.ProcessDown(processes.next(c), reasons.next(c), ids.next(c)),
            c -> new NodeMessage.ServerDown(ids.next(c), ids.next(c)),
            c -> new NodeMessage.ServerDown(ids.next(c), ids.next(c), true),
            c -> new NodeMessage.ServerDown(ids.next(c), ids.next(c), true, Math.max(1, anyLong.next(c) >>> 1)),
            c -> new NodeMessage.StartServer(anyLong.next(c), names.next(c), machines.next(c), ids.next(c),
                idLists.next(c), joinPoints.next(c)));
    }

    static Gen<FailedCommand> failedCommands()
    {
        final Gen<Object> correlations = correlations();
        final Gen<String> texts = Gen.strings(Gen.unicode(), 0, 80);
        final Gen<String> optionalTexts = texts.orNull(0.2);
        final Gen<Long> positive = positive();
        final Gen<FailedCommand.Kind> kinds = Gen.of(FailedCommand.Kind.class);
        return c ->
        {
            final FailedCommand.Kind kind = kinds.next(c);
            return FailedCommand.Kind.APPLY_THREW == kind ?
                new FailedCommand(correlations.next(c), kind, texts.next(c), optionalTexts.next(c), positive.next(c)) :
                new FailedCommand(correlations.next(c), kind, null, texts.next(c), 0);
        };
    }

    private static List<Object> correlationsOf(final List<List<Object>> pairs)
    {
        // List.of/toList reject nulls, correlations may be null.
        final java.util.ArrayList<Object> out = new java.util.ArrayList<>();
        for (final List<Object> pair : pairs)
        {
            out.add(pair.get(0));
        }
        return out;
    }

    static byte[] encode(final NodeMessage message)
    {
        final BufferWriter out = new BufferWriter(64);
        WireCodec.INSTANCE.encode(message, out);
        return out.toByteArray();
    }

    static NodeMessage decode(final byte[] data)
    {
        return WireCodec.INSTANCE.decode(new BufferReader(data));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Properties

    /** A message with a cut or mutation position and a byte. */
    record Damage(NodeMessage message, int position, byte value)
    {
    }

    /** Correlations are decoded as their bytes, which a node sends back as they came. */
    static NodeMessage withCorrelationBuilt(final NodeMessage decoded)
    {
        if (decoded instanceof NodeMessage.CommandCast cast)
        {
            return new NodeMessage.CommandCast(cast.to(), cast.command(), cast.notifyTo(), built(cast.correlation()),
                cast.hops());
        }
        if (decoded instanceof NodeMessage.AppliedNotice notice)
        {
            return new NodeMessage.AppliedNotice(notice.to(), notice.leader(),
                notice.correlations().stream().map(WireCodecProperties::built).toList(), notice.replies());
        }
        if (decoded instanceof NodeMessage.FailedNotice notice)
        {
            return new NodeMessage.FailedNotice(notice.to(), notice.leader(), notice.failures().stream()
                .map(f -> new FailedCommand(built(f.correlation()), f.kind(), f.exceptionClass(), f.message(),
                    f.index())).toList());
        }
        if (decoded instanceof NodeMessage.RejectedNotice notice)
        {
            return new NodeMessage.RejectedNotice(notice.to(), notice.from(), notice.leaderHint(),
                built(notice.correlation()));
        }
        return decoded;
    }

    private static Object built(final Object correlation)
    {
        return correlation instanceof dev.ra.protocol.EncodedCorrelation encoded ? encoded.decode() : correlation;
    }

    @Test
    void everyMessageRoundTrips()
    {
        Property.forAll(3000, messages(), message ->
        {
            final byte[] encoded = encode(message);

            final NodeMessage decoded = decode(encoded);

            assertThat(withCorrelationBuilt(decoded)).isEqualTo(message);
            assertThat(encode(decoded)).as("re-encoding is stable").isEqualTo(encoded);
        });
    }

    @Test
    void everyTruncationOfAValidMessageIsRejected()
    {
        final Gen<NodeMessage> messages = messages();
        final Gen<Integer> cuts = Gen.ints(0, 10_000);
        Property.forAll(2000, c -> new Damage(messages.next(c), cuts.next(c), (byte)0), damage ->
        {
            final byte[] encoded = encode(damage.message());
            final int length = damage.position() % encoded.length;

            final Throwable error = catchThrowable(() -> decode(Arrays.copyOf(encoded, length)));

            if (null == error && damage.message() instanceof NodeMessage.StartServer start)
            {
                // The join point is an optional tail: cut right before it, what is left is the request without it.
                final NodeMessage without = new NodeMessage.StartServer(start.callId(), start.clusterName(),
                    start.machine(), start.server(), start.members(), JoinPoint.NONE);
                assertThat(length).isEqualTo(encode(without).length);
                return;
            }
            final NodeMessage withoutTerm = withoutDeletionTerm(damage.message());
            if (null == error && null != withoutTerm)
            {
                // The term of a deletion notice or retirement (version 10) is an optional tail too.
                assertThat(length).isEqualTo(encode(withoutTerm).length);
                return;
            }
            assertThat(error).isInstanceOf(CodecException.class);
        });
    }

    /**
     * @return the message as a node of version 9 sends it, if it ends with a deletion's or retirement's term; else
     *         null.
     */
    private static NodeMessage withoutDeletionTerm(final NodeMessage message)
    {
        if (message instanceof NodeMessage.ServerDown down && down.deletedInTerm() > 0)
        {
            return new NodeMessage.ServerDown(down.server(), down.peer(), down.clusterDeleted());
        }
        if (message instanceof NodeMessage.ServerCall call && call.request() instanceof ServerRequest.ForceDelete
            delete && delete.removedInTerm() > 0)
        {
            return new NodeMessage.ServerCall(call.callId(), call.to(),
                new ServerRequest.ForceDelete(delete.removedAt()));
        }
        return null;
    }

    @Test
    void mutatedMessagesDecodeToAMessageOrACodecExceptionOnly()
    {
        final Gen<NodeMessage> messages = messages();
        final Gen<Integer> positions = Gen.ints(0, 1_000_000);
        final Gen<Byte> values = Gen.bytes();
        Property.forAll(3000, c -> new Damage(messages.next(c), positions.next(c), values.next(c)), damage ->
        {
            final byte[] encoded = encode(damage.message());
            encoded[damage.position() % encoded.length] = damage.value();

            final Throwable error = catchThrowable(() -> decode(encoded));

            assertThat(error).satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e)
                .isInstanceOf(CodecException.class));
        });
    }

    @Test
    void randomBytesDecodeToACodecExceptionOrAMessage()
    {
        Property.forAll(3000, Gen.byteArrays(0, 255), garbage ->
        {
            final Throwable error = catchThrowable(() -> decode(garbage));

            assertThat(error).satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e)
                .isInstanceOf(CodecException.class));
        });
    }

    @Test
    void trailingBytesAreRejected()
    {
        final byte[] encoded = encode(new NodeMessage.ServerDown(new ServerId("a", "n1"), new ServerId("a", "n2")));
        final byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);

        assertThatThrownBy(() -> decode(longer)).isInstanceOf(CodecException.class).hasMessageContaining("trailing");
    }

    @Test
    void aForgedCountCannotMakeTheDecoderAllocate()
    {
        final BufferWriter out = new BufferWriter(32);
        out.writeByte(MessageType.START_SERVER.code).writeLong(1).writeString("c").writeString("m")
            .writeString("s").writeString("n").writeVarLong(Integer.MAX_VALUE);

        assertThatThrownBy(() -> decode(out.toByteArray())).isInstanceOf(CodecException.class);
    }

    @Test
    void everyMessageKindIsGenerated()
    {
        final Set<Class<?>> seen = new HashSet<>();
        messages().samples(1, 5000).forEach(m -> seen.add(m.getClass()));

        assertThat(seen).containsExactlyInAnyOrder(NodeMessage.class.getPermittedSubclasses());
    }

    @Test
    void everyRpcAndRequestKindIsGenerated()
    {
        final Set<Class<?>> rpcs = new HashSet<>();
        rpcs().samples(2, 3000).forEach(m -> rpcs.add(m.getClass()));
        final Set<Class<?>> requests = new HashSet<>();
        requests().samples(3, 3000).forEach(m -> requests.add(m.getClass()));

        assertThat(rpcs).containsExactlyInAnyOrder(RaftRpc.class.getPermittedSubclasses());
        assertThat(requests).containsExactlyInAnyOrder(ServerRequest.class.getPermittedSubclasses());
    }
}
