package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.CommandResult;
import dev.ra.InitArgs;
import dev.ra.InvalidCommandException;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A leader keeps taking commands between appending the noop that switches its cluster to a newer machine version and
 * applying it: those commands sit after the switch and are applied with the newer version (docs/UPGRADES.md). The
 * leader's check of a command before it is appended must use that version too: a command only the newer version knows
 * was refused as unknown (its client then fell back to an older command), and one only the older version knows was
 * taken, to fail at its apply with the newer version.
 */
final class SwitchWindowCheckTest
{
    /** A command of version 0 only. */
    record Old(long amount)
    {
    }

    /** A command of version 1 only. */
    record New(long amount)
    {
    }

    private static final Codec<Object> BOTH = Codecs.generic(Old.class, New.class);

    /** Version 0 refuses the command it does not have, as docs/UPGRADES.md asks ("Evolving commands"). */
    private static final Codec<Object> V0_COMMANDS = Codecs.refusing(BOTH, New.class::isInstance,
        "New needs machine version 1");

    /** Version 1 no longer has version 0's command. */
    private static final Codec<Object> V1_COMMANDS = Codecs.refusing(BOTH, Old.class::isInstance,
        "Old is not a command of machine version 1");

    /** Appends what it applies to a string; its command codec is its version's. */
    record Versioned(int version) implements StateMachine<Object, String>
    {
        @Override
        public String init(final InitArgs args)
        {
            return "";
        }

        @Override
        public ApplyResult<String> apply(final CommandMeta meta, final Object command, final String state)
        {
            final String next = state + "|" + command + "@v" + meta.machineVersion();
            return ApplyResult.of(next, next);
        }

        @Override
        public StateMachine<Object, String> machineFor(final int older)
        {
            return new Versioned(older);
        }

        @Override
        public Codec<Object> commandCodec()
        {
            return 0 == version ? V0_COMMANDS : V1_COMMANDS;
        }

        @Override
        public Codec<String> stateCodec()
        {
            return Codecs.string();
        }
    }

    @Test
    void aLeaderChecksCommandsWithTheVersionItAppendsThemWith() throws Exception
    {
        final HeldWrites storage = new HeldWrites();
        final ServerId member = new ServerId("w", "a");
        try (InJvmNetwork network = new InJvmNetwork();
            RaSystem leaderNode = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .build();
            RaSystem olderClient = RaSystem.builder().nodeId("b").transport(network.newTransport())
                .storage(new InMemoryStorage()).build())
        {
            // A single member switches at its first election: its noop carries its build's version, and stays
            // appended and not applied while its log write is held.
            leaderNode.startClusterAsync("w", new Versioned(1), List.of(member));
            InJvmCluster.await(() -> leaderNode.isRunning(member) &&
                leaderNode.overview(member).role() == RaftRole.LEADER ? member : null, Duration.ofSeconds(30),
                "the member to lead");
            assertThat(leaderNode.overview(member).machineVersion().effective()).as("the switch is not applied")
                .isZero();
            // A client of the older build, on another node: its command comes as version 0's bytes.
            olderClient.registerCluster("w", new Versioned(0), List.of(member));

            final CompletableFuture<CommandResult<String>> newer = leaderNode.processCommandAsync(member, new New(1),
                Duration.ofSeconds(60));
            final CompletableFuture<CommandResult<String>> older = olderClient.processCommandAsync(member, new Old(2),
                Duration.ofSeconds(60));
            // Let each call reach the leader's check before the switch is applied.
            InJvmCluster.await(() -> newer.isDone() || leaderNode.overview(member).lastIndex() >= 2 ? true : null,
                Duration.ofSeconds(30), "the newer command to be refused or appended");
            InJvmCluster.await(() -> older.isDone() || leaderNode.overview(member).lastIndex() >= 3 ? true : null,
                Duration.ofSeconds(30), "the older command to be refused or appended");
            storage.release();

            assertThat(newer.get(60, TimeUnit.SECONDS).reply()).as("a command of the version appended")
                .endsWith("New[amount=1]@v1");
            final Throwable refused = failure(older);
            assertThat(refused).as("a command the version appended does not have").isInstanceOf(
                InvalidCommandException.class);
            assertThat(refused.getMessage()).contains("Old is not a command of machine version 1");
            assertThat(leaderNode.overview(member).machineVersion().effective()).isEqualTo(1);
        }
    }

    private static Throwable failure(final CompletableFuture<?> call) throws InterruptedException
    {
        try
        {
            return new AssertionError("answered " + call.get(60, TimeUnit.SECONDS));
        }
        catch (final ExecutionException ex)
        {
            return ex.getCause();
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return ex;
        }
    }

    /** Holds every log write's report until released: what is appended stays not durable, so not applied. */
    private static final class HeldWrites extends ForwardingStorage
    {
        private final List<Runnable> held = new ArrayList<>();
        private boolean holding = true;

        HeldWrites()
        {
            super(new InMemoryStorage());
        }

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            return inner.open(id, new LogListener()
            {
                @Override
                public void onWritten(final long index, final long term)
                {
                    synchronized (held)
                    {
                        if (holding)
                        {
                            held.add(() -> listener.onWritten(index, term));
                            return;
                        }
                    }
                    listener.onWritten(index, term);
                }

                @Override
                public void onFailure(final Throwable cause)
                {
                    listener.onFailure(cause);
                }
            });
        }

        void release()
        {
            final List<Runnable> reports;
            synchronized (held)
            {
                holding = false;
                reports = List.copyOf(held);
                held.clear();
            }
            reports.forEach(Runnable::run);
        }
    }
}
