package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.RaProcess;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A numbered call whose first attempt was applied but its reply did not come in time, and whose retry is then refused
 * as a command the cluster does not know (a leader elected since, that has the switch to version 2 in its log but has
 * not applied it yet, checks commands with version 1's codec): the client must not take the refusal for a cluster at
 * an older version and send the older command, whose reply describes what the first attempt left behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockRefusedRetryTest
{
    @Test
    void aReleaseWhoseRetryIsRefusedAfterAnUnknownOutcomeDoesNotAnswerFalse()
    {
        try (ToolboxCluster world = ToolboxCluster.start("locks", (node, builder) -> builder
            .registerMachine("locks", () -> refusingRetries(new LockMachine(ReleaseCursorPolicy.every(8))))))
        {
            final String leader = world.awaitLeader().node();
            // A client on another node than the leader's: only the caller's node encodes the command.
            final String caller = world.followerNode();
            final LockClient locks = new LockClient(new ClusterClient(world.system(caller), world.members(),
                Duration.ofSeconds(30), Duration.ofMillis(300)));
            final RaProcess owner = world.spawn(m -> { });
            assertThat(locks.acquire("k", owner.ref())).isInstanceOf(LockReply.Acquired.class);

            // The leader's answers come after the first attempt's time: its retry is the one refused.
            world.network().delay(leader, caller, Duration.ofSeconds(1));
            final Throwable released = catchThrowable(() -> assertThat(locks.release("k", owner.ref()))
                .as("the reply of a release that released the lock").isTrue());
            world.network().delay(leader, caller, Duration.ZERO);

            if (null != released)
            {
                assertThat(released).isInstanceOf(CommandOutcomeUnknownException.class);
            }
            assertThat(locks.lockInfo("k")).as("the lock, released by the first attempt").isEmpty();
        }
    }

    /**
     * A lock machine whose command codec refuses a numbered command it encoded before: every
     * attempt after the first is refused, as a leader that has not applied the switch to version 2 refuses it.
     */
    @SuppressWarnings("unchecked")
    private static StateMachine<LockCommand, LockState> refusingRetries(final LockMachine machine)
    {
        final Codec<LockCommand> codec = machine.commandCodec();
        final Set<Object> encoded = new HashSet<>();
        final Codec<LockCommand> refusing = new Codec<>()
        {
            @Override
            public void encode(final LockCommand value, final BufferWriter out)
            {
                final boolean numbered = value instanceof LockCommand.NumberedRelease;
                synchronized (encoded)
                {
                    if (numbered && !encoded.add(value))
                    {
                        throw new CodecException("numbered lock commands need machine version 2 of LockMachine");
                    }
                }
                codec.encode(value, out);
            }

            @Override
            public LockCommand decode(final BufferReader in)
            {
                return codec.decode(in);
            }
        };
        return (StateMachine<LockCommand, LockState>)Proxy.newProxyInstance(LockRefusedRetryTest.class
            .getClassLoader(), new Class<?>[] {StateMachine.class}, (proxy, method, args) ->
            {
                if ("commandCodec".equals(method.getName()))
                {
                    return refusing;
                }
                try
                {
                    return method.invoke(machine, args);
                }
                catch (final InvocationTargetException ex)
                {
                    throw ex.getCause();
                }
            });
    }
}
