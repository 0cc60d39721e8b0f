package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.CommandResult;
import dev.ra.InitArgs;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reply that the caller's node cannot decode (a record class its build lacks during a rolling upgrade, a codec that
 * reads other than the leader's writes): the decoder threw on the transport's thread, the message was logged as
 * dropped, and the call, already taken off the table of calls awaiting a reply, waited for its whole timeout and then
 * failed with a timeout that said nothing of the reply. Right: the call fails at once, saying the command was applied
 * and why its reply cannot be read.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UndecodableReplyTest
{
    private final InJvmCluster cluster = new InJvmCluster(4, b -> b.registerMachine("undecodable",
        UndecodableReplyMachine::new));
    private final List<ServerId> members = List.of(new ServerId("u", "n2"), new ServerId("u", "n3"),
        new ServerId("u", "n4"));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aCommandWhoseReplyCannotBeDecodedByTheCallerFailsAtOnceSayingWhy()
    {
        final RaSystem client = cluster.system("n1");
        client.startCluster("u", "undecodable", members);

        final CompletableFuture<CommandResult<Object>> call =
            client.processCommandAsync(members.get(0), "x", Duration.ofSeconds(300));

        assertThat(call).failsWithin(Duration.ofSeconds(60))
            .withThrowableOfType(ExecutionException.class)
            .withCauseInstanceOf(RaException.class)
            .withMessageContaining("applied")
            .withMessageContaining("no reply decodes here");
    }

    /** Replies encode on the leader and never decode on the caller. */
    public static final class UndecodableReplyMachine implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }

        @Override
        public Codec<Object> replyCodec()
        {
            return new Codec<>()
            {
                @Override
                public void encode(final Object value, final BufferWriter out)
                {
                    out.writeLong((Long)value);
                }

                @Override
                public Object decode(final BufferReader in)
                {
                    throw new CodecException("no reply decodes here");
                }
            };
        }
    }
}
