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
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every {@link NodeMessage} (and every {@link RaftRpc} and {@link ServerRequest} inside) survives the wire codec, with
 * values at the edges (0, 1, {@code Long.MAX_VALUE}, empty and large byte strings, long names); and garbage never
 * decodes into anything but a {@link CodecException}.
 */
class WireCodecProperties
{
    // ----------------------------------------------------------------------------------------------------------------
    // Building blocks, biased towards boundaries

    static Arbitrary<Long> numbers()
    {
        return Arbitraries.oneOf(Arbitraries.of(0L, 1L, 127L, 128L, 16_383L, 16_384L, Integer.MAX_VALUE + 1L,
            Long.MAX_VALUE), Arbitraries.longs().between(0, Long.MAX_VALUE));
    }

    static Arbitrary<Long> anyLong()
    {
        return Arbitraries.oneOf(Arbitraries.of(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE), Arbitraries.longs());
    }

    static Arbitrary<Long> positive()
    {
        return Arbitraries.oneOf(Arbitraries.of(1L, 128L, Long.MAX_VALUE), Arbitraries.longs().between(1,
            Long.MAX_VALUE));
    }

    static Arbitrary<String> names()
    {
        return Arbitraries.oneOf(Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1)
            .ofMaxLength(12), Arbitraries.of("x".repeat(255), "ü-ñ-名前", "n1"));
    }

    static Arbitrary<ServerId> serverIds()
    {
        return Combinators.combine(names(), names()).as(ServerId::new);
    }

    static Arbitrary<ProcessRef> processes()
    {
        return Combinators.combine(names(), positive()).as(ProcessRef::new);
    }

    static Arbitrary<Bytes> bytes()
    {
        return Arbitraries.oneOf(Arbitraries.just(Bytes.EMPTY),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(Bytes::wrap),
            Arbitraries.integers().between(65_536, 300_000).map(n -> Bytes.wrap(new byte[n])));
    }

    static Arbitrary<Object> correlations()
    {
        return Arbitraries.oneOf(Arbitraries.just(null), anyLong().map(l -> (Object)l),
            Arbitraries.strings().ofMaxLength(20).map(s -> (Object)s),
            Arbitraries.integers().map(i -> (Object)List.of(i, "c")));
    }

    static Arbitrary<List<Member>> members()
    {
        return Combinators.combine(serverIds(), Arbitraries.of(Membership.values()), numbers()).as(Member::new)
            .list().ofMaxSize(7);
    }

    static Arbitrary<LogEntry> entries()
    {
        final Arbitrary<EntryPayload> payloads = Arbitraries.oneOf(
            bytes().map(b -> (EntryPayload)UserCommand.ofData(b)),
            Arbitraries.integers().between(0, Integer.MAX_VALUE).map(v -> (EntryPayload)new EntryPayload.Noop(v)),
            members().map(m -> (EntryPayload)new EntryPayload.ClusterChange(m)),
            Arbitraries.just(new EntryPayload.DeleteCluster()),
            Arbitraries.oneOf(
                Combinators.combine(processes(), Arbitraries.of(DownReason.values()))
                    .as((p, r) -> (BuiltinCommand)new BuiltinCommand.Down(p, r)),
                names().map(n -> (BuiltinCommand)new BuiltinCommand.NodeUp(n)),
                names().map(n -> (BuiltinCommand)new BuiltinCommand.NodeDown(n)),
                names().map(n -> (BuiltinCommand)new BuiltinCommand.Timeout(n)))
                .map(c -> (EntryPayload)new EntryPayload.Builtin(c)));
        return Combinators.combine(positive(), positive(), anyLong(), payloads).as(LogEntry::new);
    }

    static Arbitrary<RaftRpc> rpcs()
    {
        return Arbitraries.oneOf(
            Combinators.combine(numbers(), serverIds(), numbers(), numbers(), numbers(),
                entries().list().ofMaxSize(5)).as(RaftRpc.AppendEntriesRpc::new),
            Combinators.combine(numbers(), Arbitraries.of(true, false), numbers(), numbers(), numbers())
                .as(RaftRpc.AppendEntriesReply::new),
            Combinators.combine(numbers(), numbers(), serverIds(), numbers(), numbers(), Arbitraries.integers())
                .as(RaftRpc.PreVoteRpc::new),
            Combinators.combine(numbers(), numbers(), Arbitraries.of(true, false)).as(RaftRpc.PreVoteReply::new),
            Combinators.combine(numbers(), serverIds(), numbers(), numbers()).as(RaftRpc.RequestVoteRpc::new),
            Combinators.combine(numbers(), Arbitraries.of(true, false)).as(RaftRpc.RequestVoteReply::new),
            Combinators.combine(numbers(), serverIds(), numbers()).as(RaftRpc.HeartbeatRpc::new),
            Combinators.combine(numbers(), numbers()).as(RaftRpc.HeartbeatReply::new),
            Combinators.combine(numbers(), serverIds(),
                Combinators.combine(positive(), positive(), members(), Arbitraries.integers().between(0, 1000))
                    .as(SnapshotMeta::new), numbers(), bytes(), Arbitraries.of(true, false))
                .as(RaftRpc.InstallSnapshotRpc::new),
            Combinators.combine(numbers(), numbers(), numbers(), Arbitraries.of(true, false))
                .as(RaftRpc.InstallSnapshotReply::new),
            Combinators.combine(numbers(), serverIds()).as(RaftRpc.TimeoutNowRpc::new));
    }

    static Arbitrary<ServerRequest> requests()
    {
        return Arbitraries.oneOf(
            bytes().map(b -> new ServerRequest.Command(UserCommand.ofData(b))),
            Combinators.combine(serverIds(), Arbitraries.of(Membership.values())).as(ServerRequest.AddMember::new),
            serverIds().map(ServerRequest.RemoveMember::new),
            serverIds().map(ServerRequest.TransferLeadership::new),
            Arbitraries.just(new ServerRequest.TriggerElection()),
            Arbitraries.just(new ServerRequest.DeleteCluster()),
            Arbitraries.just(new ServerRequest.Members()),
            Arbitraries.of(true, false).map(ServerRequest.ReadIndex::new),
            Arbitraries.just(new ServerRequest.Stop()),
            Arbitraries.just(new ServerRequest.ForceDelete()),
            Combinators.combine(names(), bytes(), numbers()).as(ServerRequest.NamedQuery::new));
    }

    @Provide
    Arbitrary<NodeMessage> messages()
    {
        final Arbitrary<ServerId> optionalServer = serverIds().injectNull(0.3);
        return Arbitraries.oneOf(
            Combinators.combine(serverIds(), serverIds(), rpcs()).as(NodeMessage.RaftMessage::new),
            Combinators.combine(anyLong(), serverIds(), requests()).as(NodeMessage.ServerCall::new),
            Combinators.combine(anyLong(), Arbitraries.of(NodeMessage.CallStatus.values()), bytes(), optionalServer,
                Arbitraries.of(CallError.values()).injectNull(0.3), Arbitraries.strings().ofMaxLength(50))
                .as(NodeMessage.CallReply::new),
            Combinators.combine(serverIds(), bytes().map(UserCommand::ofData), processes().injectNull(0.3),
                correlations(), Arbitraries.integers().between(0, Integer.MAX_VALUE))
                .as(NodeMessage.CommandCast::new),
            Combinators.combine(processes(), optionalServer, bytes()).as(NodeMessage.ProcessMessage::new),
            Combinators.combine(processes(), serverIds(),
                Combinators.combine(correlations(), bytes()).as((c, b) -> Arrays.asList(c, (Object)b)).list()
                    .ofMaxSize(20))
                .as((to, leader, pairs) -> new NodeMessage.AppliedNotice(to, leader, correlationsOf(pairs),
                    pairs.stream().map(p -> (Bytes)p.get(1)).toList())),
            Combinators.combine(processes(), serverIds(), optionalServer, correlations())
                .as(NodeMessage.RejectedNotice::new),
            Combinators.combine(processes(), serverIds()).as(NodeMessage.MonitorProcess::new),
            Combinators.combine(processes(), serverIds()).as(NodeMessage.DemonitorProcess::new),
            Combinators.combine(processes(), Arbitraries.of(DownReason.values()), serverIds())
                .as(NodeMessage.ProcessDown::new),
            Combinators.combine(serverIds(), serverIds()).as(NodeMessage.ServerDown::new),
            Combinators.combine(anyLong(), names(), Arbitraries.strings().ofMaxLength(60), serverIds(),
                serverIds().list().ofMaxSize(7)).as(NodeMessage.StartServer::new));
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

    @Property(tries = 3000)
    void everyMessageRoundTrips(@ForAll("messages") final NodeMessage message)
    {
        final byte[] encoded = encode(message);

        final NodeMessage decoded = decode(encoded);

        assertThat(decoded).isEqualTo(message);
        assertThat(encode(decoded)).as("re-encoding is stable").isEqualTo(encoded);
    }

    @Property(tries = 2000)
    void everyTruncationOfAValidMessageIsRejected(@ForAll("messages") final NodeMessage message,
        @ForAll @IntRange(min = 0, max = 10_000) final int cut)
    {
        final byte[] encoded = encode(message);
        final int length = cut % encoded.length;

        final Throwable error = catchThrowable(() -> decode(Arrays.copyOf(encoded, length)));

        assertThat(error).isInstanceOf(CodecException.class);
    }

    @Property(tries = 3000)
    void mutatedMessagesDecodeToAMessageOrACodecExceptionOnly(@ForAll("messages") final NodeMessage message,
        @ForAll @IntRange(min = 0, max = 1_000_000) final int position, @ForAll final byte value)
    {
        final byte[] encoded = encode(message);
        encoded[position % encoded.length] = value;

        final Throwable error = catchThrowable(() -> decode(encoded));

        assertThat(error).satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e)
            .isInstanceOf(CodecException.class));
    }

    @Property(tries = 3000)
    void randomBytesDecodeToACodecExceptionOrAMessage(@ForAll final byte[] garbage)
    {
        final Throwable error = catchThrowable(() -> decode(garbage));

        assertThat(error).satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e)
            .isInstanceOf(CodecException.class));
    }

    @Example
    void trailingBytesAreRejected()
    {
        final byte[] encoded = encode(new NodeMessage.ServerDown(new ServerId("a", "n1"), new ServerId("a", "n2")));
        final byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);

        assertThatThrownBy(() -> decode(longer)).isInstanceOf(CodecException.class).hasMessageContaining("trailing");
    }

    @Example
    void aForgedCountCannotMakeTheDecoderAllocate()
    {
        final BufferWriter out = new BufferWriter(32);
        out.writeByte(MessageType.START_SERVER.code).writeLong(1).writeString("c").writeString("m")
            .writeString("s").writeString("n").writeVarLong(Integer.MAX_VALUE);

        assertThatThrownBy(() -> decode(out.toByteArray())).isInstanceOf(CodecException.class);
    }

    @Example
    void everyMessageKindIsGenerated()
    {
        final Set<Class<?>> seen = new HashSet<>();
        messages().sampleStream().limit(5000).forEach(m -> seen.add(m.getClass()));

        assertThat(seen).containsExactlyInAnyOrder(NodeMessage.class.getPermittedSubclasses());
    }

    @Example
    void everyRpcAndRequestKindIsGenerated()
    {
        final Set<Class<?>> rpcs = new HashSet<>();
        rpcs().sampleStream().limit(3000).forEach(m -> rpcs.add(m.getClass()));
        final Set<Class<?>> requests = new HashSet<>();
        requests().sampleStream().limit(3000).forEach(m -> requests.add(m.getClass()));

        assertThat(rpcs).containsExactlyInAnyOrder(RaftRpc.class.getPermittedSubclasses());
        assertThat(requests).containsExactlyInAnyOrder(ServerRequest.class.getPermittedSubclasses());
    }
}
