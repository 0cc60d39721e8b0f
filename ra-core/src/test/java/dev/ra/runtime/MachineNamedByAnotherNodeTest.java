package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node asked by another to start a server creates the machine from the name the request holds: it initialised
 * whatever class that name gave before checking that it is a machine, so a request could run the static initialiser of
 * any class on the node's class path; and a machine class whose initialiser fails threw an Error past every
 * {@code catch (RuntimeException)} on the receiving thread, so the caller heard nothing and waited out its timeout.
 * Right: a class that is no machine is refused without being initialised, and one that cannot be initialised fails the
 * start at once, naming it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MachineNamedByAnotherNodeTest
{
    static final AtomicInteger TRIPPED = new AtomicInteger();

    /** The caller's node knows both names as a machine of its own, so only the other node looks the name up. */
    private final InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2"), (node, b) ->
    {
        if ("n1".equals(node))
        {
            b.registerMachine(NotAMachine.class.getName(), CounterMachine::new)
                .registerMachine(UninitialisableMachine.class.getName(), CounterMachine::new);
        }
    });

    @AfterEach
    void close()
    {
        cluster.close();
    }

    /** Not a machine; its initialisation is seen. */
    public static final class NotAMachine
    {
        static final int INITIALISED = TRIPPED.incrementAndGet();
    }

    /** A machine whose class cannot be initialised on the node asked to run it. */
    public static final class UninitialisableMachine implements StateMachine<Object, Object>
    {
        static final int VALUE = fail();

        private static int fail()
        {
            throw new IllegalStateException("this machine class cannot be initialised here");
        }

        @Override
        public Object init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Object> apply(final CommandMeta meta, final Object command, final Object state)
        {
            return ApplyResult.of(state);
        }
    }

    @Test
    void aClassThatIsNoMachineIsRefusedWithoutBeingInitialised()
    {
        final RaSystem n1 = cluster.system("n1");
        final ServerId remote = new ServerId("x", "n2");

        assertThatThrownBy(() -> n1.startServer("x", NotAMachine.class.getName(), remote, List.of(remote)))
            .hasMessageContaining(NotAMachine.class.getName()).hasMessageContaining("does not implement");
        assertThat(TRIPPED).as("initialisations of the class the request named").hasValue(0);
    }

    @Test
    void aMachineClassThatCannotBeInitialisedFailsTheStartAtOnceNamingIt()
    {
        final RaSystem n1 = cluster.system("n1");
        final ServerId remote = new ServerId("y", "n2");

        assertThatThrownBy(() -> n1.startServer("y", UninitialisableMachine.class.getName(), remote,
            List.of(remote))).hasMessageContaining(UninitialisableMachine.class.getName())
            .hasMessageNotContaining("timed out");
    }
}
