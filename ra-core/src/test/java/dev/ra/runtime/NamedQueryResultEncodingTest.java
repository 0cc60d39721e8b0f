package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A named query's result is encoded with the machine's query codec on the member that ran it. A result the codec
 * cannot encode (it throws, or returns null) fails the caller at once with an error naming the query and the failure,
 * from a member on the caller's node or another, consistent or not, instead of leaving it waiting for its timeout.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NamedQueryResultEncodingTest
{
    /** Long enough never to expire before the answer on a slow machine: the answer must come, not the timeout. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String NULL_BYTES = "null-bytes";

    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    /** Answers "object" with an Object the generic codec cannot encode, "null" with one its codec encodes as null. */
    public static final class UnencodableQueryResults implements StateMachine<Object, Long>
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
        public Object query(final String name, final Object argument, final Long state)
        {
            return "object".equals(name) ? new Object() : NULL_BYTES;
        }

        @Override
        public Codec<Object> queryCodec()
        {
            return new NullForMarker();
        }
    }

    /** The generic codec, except that it encodes {@link #NULL_BYTES} as null. */
    private static final class NullForMarker implements Codec<Object>
    {
        @Override
        public void encode(final Object value, final BufferWriter out)
        {
            Codecs.generic().encode(value, out);
        }

        @Override
        public Object decode(final BufferReader in)
        {
            return Codecs.generic().decode(in);
        }

        @Override
        public byte[] toBytes(final Object value)
        {
            return NULL_BYTES.equals(value) ? null : Codec.super.toBytes(value);
        }
    }

    @Test
    void aResultTheCodecCannotEncodeFailsTheCallerAtOnceNamingTheQuery()
    {
        assertEveryQueryFailsNamingIt("object", "CodecException");
    }

    @Test
    void aResultTheCodecEncodesAsNullFailsTheCallerAtOnceNamingTheQuery()
    {
        assertEveryQueryFailsNamingIt("null", "the codec returned null");
    }

    private void assertEveryQueryFailsNamingIt(final String query, final String failure)
    {
        final List<ServerId> members = cluster.startCluster("uq", new UnencodableQueryResults());
        cluster.awaitLeader(members, Duration.ofSeconds(10));
        final RaSystem n1 = cluster.first();
        for (final ServerId member : members)
        {
            for (final boolean consistent : List.of(false, true))
            {
                final Throwable refused = catchThrowable(() -> n1.namedQuery(member, query, null, consistent,
                    TIMEOUT));
                assertThat(refused).as("query '%s' to %s, consistent %s", query, member, consistent)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("query '" + query + "'")
                    .hasMessageContaining("cannot be encoded with the machine's query codec")
                    .hasMessageContaining(failure);
            }
        }
        for (final ServerId member : members)
        {
            assertThat(cluster.system(member).isRunning(member)).as(member + " runs").isTrue();
        }
    }
}
